import Foundation
import LabCollectors
import LabNetwork
import LabResults
import LabScenario
import LabSystem
import LabTestSupport
import LabTopology
import LabTraffic
import Testing

extension KernelTests {
    @Suite("Workloads between lab namespaces")
    struct WorkloadTests {
        func run(_ workload: Workload, shape: TopologyPreset = .routed) throws -> [Sample] {
            try withTestJournal("workload") { journal in
                let topology = try TopologyBuilder.up(shape, journal: journal)
                let scratch = try TestEnvironment.temporaryDirectory("workload")
                defer { try? FileManager.default.removeItem(atPath: scratch) }
                let context = TrafficContext(topology: topology, scratchDirectory: scratch, agentExecutable: TestEnvironment.benchlabBinary)
                return try WorkloadRunner.run(workload, in: context)
            }
        }

        func value(_ samples: [Sample], _ metric: String) -> Double? { samples.first { $0.metric == metric }?.value }

        /// What the runner measures around a workload (CPU, interface counters) is taken when the
        /// window opens and closes: once each, with the workload's traffic in between.
        @Test("every workload opens its traffic window once, and the traffic flows inside it", arguments: [
            Workload(LatencyWorkload(name: "rr", proto: .udp, count: 50, durationSeconds: 1)),
            Workload(ConnectWorkload(name: "cc", count: 20, durationSeconds: 1)),
            Workload(ThroughputWorkload(name: "udp", proto: .udp, durationSeconds: 1, messageBytes: 1400)),
            Workload(PacketRateWorkload(name: "pr", durationSeconds: 0.5)),
        ])
        func trafficWindow(workload: Workload) throws {
            try #require(ToolLocator.exists("iperf3") || workload.name != "udp", "iperf3 is not installed")
            try withTestJournal("window") { journal in
                let topology = try TopologyBuilder.up(.routed, journal: journal)
                let scratch = try TestEnvironment.temporaryDirectory("window")
                defer { try? FileManager.default.removeItem(atPath: scratch) }
                let context = TrafficContext(topology: topology, scratchDirectory: scratch, agentExecutable: TestEnvironment.benchlabBinary)
                let collectors = CollectorSet(topology: topology)
                var opened = 0
                var closed: [CollectedData] = []
                let window = TrafficWindow(opening: { opened += 1; try collectors.open() },
                                           closing: { closed.append(try collectors.close(workload: workload.name)) })
                _ = try WorkloadRunner.run(workload, in: context, window: window)
                try #require(opened == 1 && closed.count == 1)
                let received = closed[0].samples.first { $0.metric == "rx_packets" }?.value ?? 0
                #expect(received >= 20, "the server received \(received) packets inside the window")
            }
        }

        @Test("TCP throughput through iperf3 reports goodput and retransmits",
              .enabled(if: ToolLocator.exists("iperf3"), "iperf3 is not installed"))
        func tcpThroughput() throws {
            let samples = try run(Workload(ThroughputWorkload(name: "tcp", proto: .tcp, durationSeconds: 1)))
            #expect((value(samples, "throughput_gbps") ?? 0) > 0.1)
            #expect(value(samples, "retransmits") != nil)
        }

        @Test("UDP throughput reports packets per second and loss", .enabled(if: ToolLocator.exists("iperf3"), "iperf3 is not installed"))
        func udpThroughput() throws {
            let samples = try run(Workload(ThroughputWorkload(name: "udp", proto: .udp, durationSeconds: 1, messageBytes: 1400)), shape: .pair)
            #expect((value(samples, "pps") ?? 0) > 1000)
            let loss = try #require(value(samples, "loss_ratio"))
            #expect(loss >= 0 && loss <= 1)
        }

        @Test("latency round trips over UDP and TCP give ordered percentiles", arguments: [TransportProtocol.udp, .tcp])
        func latency(proto: TransportProtocol) throws {
            let samples = try run(Workload(LatencyWorkload(name: "rr", proto: proto, payloadBytes: 64, count: 500, durationSeconds: 3)))
            let p50 = try #require(value(samples, "latency_p50_us"))
            let p99 = try #require(value(samples, "latency_p99_us"))
            #expect(p50 > 0 && p50 <= p99)
            #expect(value(samples, "transactions") == 500)
        }

        @Test("connect workload measures handshakes and connection rate")
        func connect() throws {
            let samples = try run(Workload(ConnectWorkload(name: "conn", count: 200, durationSeconds: 3)))
            #expect(value(samples, "cps").map { $0 > 0 } == true)
            #expect(value(samples, "connect_failures") == 0)
        }

        @Test("a workload against a server that is not there fails with a clear reason")
        func unreachable() throws {
            try withTestJournal("unreachable") { journal in
                let topology = try TopologyBuilder.up(.pair, journal: journal)
                // Cut the server's link: its echo agent starts, but no request reaches it.
                try IPCommand.run(["-n", topology.server, "link", "set", topology.serverInterface.name, "down"], doing: "cut the link")
                let scratch = try TestEnvironment.temporaryDirectory("unreachable")
                defer { try? FileManager.default.removeItem(atPath: scratch) }
                let context = TrafficContext(topology: topology, scratchDirectory: scratch, agentExecutable: TestEnvironment.benchlabBinary)
                let error = #expect(throws: LabFailure.self) {
                    _ = try WorkloadRunner.run(Workload(LatencyWorkload(name: "rr", proto: .udp, count: 5, durationSeconds: 1)), in: context)
                }
                #expect(error?.description == "rr: no round trip completed (5 timed out)")
            }
        }

        /// The rr-client's ladder reaches run.json as a series: the report's distribution plots need it.
        @Test("the latency workload records its percentile ladder as a series")
        func latencyLadder() throws {
            try withTestJournal("latency-ladder") { journal in
                let topology = try TopologyBuilder.up(.pair, journal: journal)
                let scratch = try TestEnvironment.temporaryDirectory("latency-ladder")
                defer { try? FileManager.default.removeItem(atPath: scratch) }
                let context = TrafficContext(topology: topology, scratchDirectory: scratch, agentExecutable: TestEnvironment.benchlabBinary)
                let measured = try WorkloadRunner.measure(Workload(LatencyWorkload(name: "rr", proto: .udp, count: 200, durationSeconds: 2)),
                                                          in: context)
                let ladder = try #require(measured.series.first { $0.name == LatencyWorkload.percentileSeries && $0.workload == "rr" })
                // 200 round trips resolve up to 99.5%; values never fall as the percentile rises.
                #expect(ladder.x == [0, 50, 75, 90, 95, 99, 99.5, 100])
                #expect(zip(ladder.y, ladder.y.dropFirst()).allSatisfy { $0 <= $1 })
                #expect(value(measured.samples, "latency_p50_us") == ladder.y[1])
            }
        }

        @Test("collectors count the server's received packets around a workload")
        func collectors() throws {
            try withTestJournal("collectors") { journal in
                let topology = try TopologyBuilder.up(.routed, journal: journal)
                let scratch = try TestEnvironment.temporaryDirectory("collectors")
                defer { try? FileManager.default.removeItem(atPath: scratch) }
                let context = TrafficContext(topology: topology, scratchDirectory: scratch, agentExecutable: TestEnvironment.benchlabBinary)
                let collectors = CollectorSet(topology: topology)
                try collectors.open()
                _ = try WorkloadRunner.run(Workload(LatencyWorkload(name: "rr", proto: .udp, count: 300, durationSeconds: 3)), in: context)
                let collected = try collectors.close(workload: "rr")
                let samples = collected.samples
                #expect((value(samples, "rx_packets") ?? 0) >= 300)
                #expect(value(samples, "cpu_ns_per_pkt") != nil)
                #expect(value(samples, "steal_share").map { (0...1).contains($0) } == true)
                // Sampled every 100 ms over about 300 round trips: at least one point, each a share.
                let busy = try #require(collected.series.first { $0.name == "cpu_busy_share" && $0.workload == "rr" })
                #expect(!busy.y.isEmpty && busy.x.count == busy.y.count)
                #expect(busy.y.allSatisfy { (0...1).contains($0) })
            }
        }
    }
}
