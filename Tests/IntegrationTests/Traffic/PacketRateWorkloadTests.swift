import Foundation
import LabBackends
import LabCollectors
import LabNetwork
import LabPolicy
import LabResults
import LabRunner
import LabScenario
import LabSystem
import LabTestSupport
import LabTopology
import LabTraffic
import Testing

extension KernelTests {
    /// Loose bounds only: these show the workload measures what it claims (sent, received, dropped),
    /// not how fast this machine is.
    @Suite("Packet-rate workload between lab namespaces")
    struct PacketRateWorkloadTests {
        func withLab<T>(_ body: (Topology, TrafficContext) throws -> T) throws -> T {
            try withTestJournal("packet-rate") { journal in
                let topology = try TopologyBuilder.up(.routed, journal: journal)
                let scratch = try TestEnvironment.temporaryDirectory("packet-rate")
                defer { try? FileManager.default.removeItem(atPath: scratch) }
                return try body(topology, TrafficContext(topology: topology, scratchDirectory: scratch,
                                                         agentExecutable: TestEnvironment.benchlabBinary))
            }
        }

        func value(_ samples: [Sample], _ metric: String) throws -> Double {
            try #require(samples.first { $0.metric == metric }?.value, "no \(metric) in \(samples.map(\.metric))")
        }

        @Test("without a filter the server's socket receives about what the flood sent, and CPU per packet is collected")
        func unfiltered() throws {
            try withLab { topology, context in
                let collectors = CollectorSet(topology: topology)
                try collectors.open()
                let samples = try WorkloadRunner.run(Workload(PacketRateWorkload(name: "pr", durationSeconds: 1)), in: context)
                let collected = try collectors.close(workload: "pr").samples
                let sent = try value(samples, "pps_sent")
                let received = try value(samples, "pps")
                #expect(sent > 1000)
                // The path keeps up with the generator: what is sent arrives (no speed target, just no loss).
                #expect(received >= 0.95 * sent && received <= sent)
                #expect(try value(samples, "loss_ratio") < 0.05)
                #expect(!samples.contains { $0.metric == "pps_dropped" }, "no filter counter was given")
                let rx = try value(collected, "rx_packets")
                #expect(rx >= 0.95 * sent)  // one second of flood, give or take the start-up
                #expect(try value(collected, "cpu_ns_per_pkt") > 0)
            }
        }

        @Test("a paced flood sends at its rate")
        func paced() throws {
            try withLab { _, context in
                let samples = try WorkloadRunner.run(
                    Workload(PacketRateWorkload(name: "pr", durationSeconds: 1, packetsPerSecond: 20_000)), in: context)
                let sent = try value(samples, "pps_sent")
                #expect(sent > 16_000 && sent <= 20_100)
                #expect(try value(samples, "pps") >= 0.95 * sent)
            }
        }

        /// A drop rule installed by hand with nft (not one of benchlab's backends), its counter read as
        /// the filter's drop count: half the packets come from the denied range, half are dropped.
        @Test("with a hand-made drop rule and denied_share 0.5, about half the packets are dropped and counted",
              .enabled(if: ToolLocator.exists("nft"), "nft is not installed"))
        func halfDenied() throws {
            try withLab { topology, context in
                let point = topology.filterPoint
                let rules = """
                    table ip bltest {
                      chain forward {
                        type filter hook forward priority filter; policy accept;
                        iifname "\(point.ingressInterface)" ip saddr 198.19.0.0/24 counter drop
                      }
                    }
                    """
                try Subprocess.run(Command("nft", ["-f", "-"]).inNamespace(point.namespace), input: rules).requireSuccess("load test rules")
                let policy = Policy(rules: [Rule(action: .deny, source: IPv4Prefix("198.19.0.0/24"))], defaultAction: .allow)
                let filter = FilterUnderTest(policy: policy, enforces: true) { try Self.nftDropCounter(point.namespace) }
                let samples = try WorkloadRunner.run(
                    Workload(PacketRateWorkload(name: "pr", durationSeconds: 1, deniedShare: 0.5)), in: context, filter: filter)
                let sent = try value(samples, "pps_sent")
                #expect(sent > 1000)
                let received = try value(samples, "pps")
                let dropped = try value(samples, "pps_dropped")
                #expect(received > 0.4 * sent && received < 0.6 * sent)
                #expect(dropped > 0.4 * sent && dropped < 0.6 * sent)
                #expect(received + dropped > 0.95 * sent && received + dropped <= 1.001 * sent)
                #expect(abs(try value(samples, "pps_handled") - (received + dropped)) < 1)
                #expect(try value(samples, "loss_ratio") < 0.05)
            }
        }

        /// Reading a filter's counters can cost seconds of system time (iptables-nft-save at 100k rules):
        /// that must not be charged to the path as CPU per packet.
        @Test("the filter's counters are read outside the traffic window, which brackets the flood alone")
        func countersOutsideTheWindow() throws {
            try withLab { _, context in
                var events: [String] = []
                let policy = Policy(rules: [], defaultAction: .allow)
                let filter = FilterUnderTest(policy: policy, enforces: true) { events.append("read counters"); return 0 }
                let window = TrafficWindow(opening: { events.append("open") }, closing: { events.append("close") })
                _ = try WorkloadRunner.run(Workload(PacketRateWorkload(name: "pr", durationSeconds: 0.5)), in: context,
                                           filter: filter, window: window)
                #expect(events == ["read counters", "open", "close", "read counters"])
            }
        }

        /// The packets counted by the test rule's `counter` statement.
        static func nftDropCounter(_ namespace: String) throws -> UInt64 {
            let result = try Subprocess.run(Command("nft", ["list", "chain", "ip", "bltest", "forward"]).inNamespace(namespace))
            try result.requireSuccess("read the test rule's counter")
            let words = result.stdout.split(whereSeparator: \.isWhitespace)
            guard let index = words.firstIndex(of: "packets"), index + 1 < words.count, let packets = UInt64(words[index + 1]) else {
                throw LabFailure("no packet counter in: \(result.stdout)")
            }
            return packets
        }

        @Test("through the runner with the xdp backend: the backend's own counters give the drop rate")
        func throughTheRunnerWithXDP() throws {
            try BPFTestEnvironment.requireFilterLoads()
            try withTestJournal("packet-rate-xdp") { journal in
                let scratch = try TestEnvironment.temporaryDirectory("packet-rate-xdp")
                defer { try? FileManager.default.removeItem(atPath: scratch) }
                let executor = CaseExecutor(topologySource: .preset(.routed), journal: journal, scratchRoot: scratch,
                                            agentExecutable: TestEnvironment.benchlabBinary)
                let policy = Policy(rules: [Rule(action: .deny, source: IPv4Prefix("198.19.128.0/17"), proto: .udp)], defaultAction: .allow)
                let workload = PacketRateWorkload(name: "pr", durationSeconds: 1, deniedShare: 0.25)
                let spec = CaseSpec(backend: .xdp, variant: Variant(point: [], workloads: [Workload(workload)], policy: policy))
                let outcome = try executor.execute(spec, backend: try BackendFactory.make(.xdp), round: 0, probe: false)
                let samples = outcome.samples.filter { $0.workload == "pr" }
                let sent = try value(samples, "pps_sent")
                let dropped = try value(samples, "pps_dropped")
                #expect(dropped > 0.15 * sent && dropped < 0.35 * sent)
                #expect(try value(samples, "pps") > 0.65 * sent)
                #expect(try value(samples, "loss_ratio") < 0.05)
                #expect(samples.contains { $0.metric == "cpu_ns_per_pkt" })
            }
        }
    }
}
