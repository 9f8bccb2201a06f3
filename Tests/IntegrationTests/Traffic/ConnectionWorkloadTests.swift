import Foundation
import LabBackends
import LabNetwork
import LabPolicy
import LabResults
import LabSystem
import LabTestSupport
import LabTopology
import LabTraffic
import Testing

extension KernelTests {
    /// The connection workloads against a routed lab with no backend installed (`none`); nf_conntrack
    /// is brought in by a test-owned nft table in the dut's namespace where a test needs it. Loose
    /// bounds only: these show the workloads count what they claim, not how fast this machine is.
    @Suite("Connection workloads between lab namespaces")
    struct ConnectionWorkloadTests {
        func withLab<T>(_ body: (Topology, TrafficContext) throws -> T) throws -> T {
            try withTestJournal("connections") { journal in
                let topology = try TopologyBuilder.up(.routed, journal: journal)
                let scratch = try TestEnvironment.temporaryDirectory("connections")
                defer { try? FileManager.default.removeItem(atPath: scratch) }
                return try body(topology, TrafficContext(topology: topology, scratchDirectory: scratch,
                                                         agentExecutable: TestEnvironment.benchlabBinary))
            }
        }

        /// Loads `rules` into a test-owned table `bltest` in the policy point's namespace (the lab's own).
        func loadTable(_ topology: Topology, _ body: String) throws {
            let rules = "table ip bltest {\n\(body)\n}\n"
            try Subprocess.run(Command("nft", ["-f", "-"]).inNamespace(topology.filterPoint.namespace), input: rules)
                .requireSuccess("load test rules")
        }

        func conntrackCount(_ topology: Topology) throws -> Int {
            let result = try Subprocess.run(Command("cat", ["/proc/sys/net/netfilter/nf_conntrack_count"])
                .inNamespace(topology.filterPoint.namespace), timeout: 5)
            try result.requireSuccess("read nf_conntrack_count")
            return try #require(Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        }

        @Test("a flow fill creates one nf_conntrack entry per flow and times every flow",
              .enabled(if: ToolLocator.exists("nft"), "nft is not installed"))
        func fillCreatesEntries() throws {
            try withLab { topology, context in
                try loadTable(topology, """
                    chain forward {
                      type filter hook forward priority filter; policy accept;
                      ct state new counter accept
                    }
                    """)
                let before = try conntrackCount(topology)
                let fill = try FlowFill.run(count: 3000, rate: 0, seed: 7, durationSeconds: 10, filter: .unfiltered, context)
                let after = try conntrackCount(topology)
                #expect(fill.report.sent == 3000)
                #expect(fill.delivered == 3000, "every flow crossed the policy point to the sink")
                #expect(after - before >= 3000, "nf_conntrack_count went from \(before) to \(after)")
                #expect(fill.lastPacketNanoseconds.allSatisfy { $0 > 0 })
                #expect(fill.lastPacketNanoseconds == fill.lastPacketNanoseconds.sorted(), "flows are sent in plan order")
                let idle = fill.idle(timeoutSeconds: 30)
                #expect(idle.count == 3000 && Set(idle.map(\.flow)).count == 3000)
                #expect(idle.allSatisfy { $0.lastPacketNanoseconds <= MonotonicClock.nanoseconds() })
            }
        }

        /// Most of the client pool denied, one /24 allowed: the fill and the churn pick their sources
        /// from what the policy allows, so the installed nftables policy drops none of their packets.
        static let narrowPolicy = Policy(rules: [Rule(action: .allow, source: IPv4Prefix("198.19.0.0/24")!)], defaultAction: .deny)

        @Test("under an nftables policy allowing one /24, a fill and a churn use only allowed sources: no drops, one entry per flow",
              .enabled(if: ToolLocator.exists("nft"), "nft is not installed"))
        func nftablesPolicy() throws {
            try withLab { topology, context in
                let backend = try BackendFactory.make(.nftables)
                let policy = Self.narrowPolicy
                let installation = try backend.install(backend.compile(policy), policy: policy, at: topology.filterPoint)
                defer { try? installation.remove() }
                try loadTable(topology, """
                    chain forward {
                      type filter hook forward priority filter; policy accept;
                      ct state new counter accept
                    }
                    """)
                let filter = FilterUnderTest(policy: policy, enforces: true, droppedPackets: { try installation.counters().deniedPackets })
                let deniedBefore = try installation.counters().deniedPackets
                let entriesBefore = try conntrackCount(topology)
                let fill = try FlowFill.run(count: 4000, rate: 0, seed: 5, durationSeconds: 10, filter: filter, context)
                #expect(fill.report.sent == 4000 && fill.delivered == 4000)
                #expect(fill.plan.sources.allSatisfy { IPv4Prefix("198.19.0.0/24")!.contains($0) }, "\(fill.plan.sources)")
                let entriesAfterFill = try conntrackCount(topology)
                #expect(entriesAfterFill - entriesBefore >= 4000)
                let churn = try ConnectionChurn.run(transport: .tcp, rate: 200, durationSeconds: 0.5, filter: filter, context)
                #expect(churn.succeeded == churn.attempted && churn.attempted > 50, "\(churn.failed.counts)")
                // Each connection its own 5-tuple: one new entry each (closed ones linger in TIME_WAIT).
                #expect(try conntrackCount(topology) - entriesAfterFill >= churn.attempted)
                #expect(try installation.counters().deniedPackets == deniedBefore)
            }
        }

        @Test("short TCP and UDP connections at a small rate all succeed, each from its own 5-tuple")
        func churnSucceeds() throws {
            try withLab { _, context in
                for transport in TransportProtocol.allCases {
                    let report = try ConnectionChurn.run(transport: transport, rate: 300, durationSeconds: 1, filter: .unfiltered, context)
                    #expect(report.attempted >= 250 && report.attempted <= 301, "\(transport): \(report.attempted) attempted")
                    #expect(report.succeeded == report.attempted, "\(transport): \(report.failed.counts) \(report.firstError ?? "")")
                    #expect(report.failed.total == 0)
                    #expect(report.timeline.succeeded.reduce(0, +) == report.succeeded && report.timeline.failed.allSatisfy { $0 == 0 })
                    #expect(report.timeline.succeeded.count >= 9, "a 1 s churn spans ten 100 ms slices")
                    #expect(report.open.p50Microseconds > 0 && report.open.p99Microseconds >= report.open.p50Microseconds)
                }
            }
        }

        @Test("a TCP connection refused by an RST counts as refused, not as success",
              .enabled(if: ToolLocator.exists("nft"), "nft is not installed"))
        func churnRefused() throws {
            try withLab { topology, context in
                try loadTable(topology, """
                    chain forward {
                      type filter hook forward priority filter; policy accept;
                      tcp dport 7005 reject with tcp reset
                    }
                    """)
                let report = try ConnectionChurn.run(transport: .tcp, rate: 100, durationSeconds: 0.5, filter: .unfiltered, context)
                #expect(report.succeeded == 0)
                #expect(report.failed[.refused] == report.attempted && report.attempted > 0, "\(report.failed.counts)")
                #expect(report.timeline.failed.reduce(0, +) == report.attempted)
            }
        }

        @Test("established flows on an idle lab do not break; dropped mid-way, every one breaks for want of a reply",
              .enabled(if: ToolLocator.exists("nft"), "nft is not installed"))
        func establishedBreakage() throws {
            try withLab { topology, context in
                let idle = try EstablishedFlows.start(count: 20, intervalSeconds: 0.1, lifetime: 20, filter: .unfiltered, context)
                usleep(800_000)
                let quiet = try idle.stop()
                #expect(quiet.opened == 20 && quiet.brokenCount == 0, "\(quiet.brokenByReason.counts)")
                #expect(quiet.roundTrips >= 20 * 4)

                let cut = try EstablishedFlows.start(count: 20, intervalSeconds: 0.1, replyTimeout: 0.3, lifetime: 20,
                                                     filter: .unfiltered, context)
                usleep(300_000)
                try loadTable(topology, """
                    chain forward {
                      type filter hook forward priority filter; policy accept;
                      tcp sport 7006 drop
                    }
                    """)
                usleep(1_000_000)
                let broken = try cut.stop()
                #expect(broken.opened == 20)
                #expect(broken.brokenCount == 20, "\(broken.brokenByReason.counts)")
                #expect(broken.brokenByReason[.replyTimeout] == 20)
                #expect(broken.broken.allSatisfy { $0.afterSeconds >= 0.25 })
            }
        }

        @Test("the connections workload records its rate, open-time percentiles, failures and established_broken")
        func workloadSamples() throws {
            try withLab { _, context in
                let workload = Workload(ConnectionsWorkload(name: "conn", proto: .tcp, rate: 200, durationSeconds: 1, concurrency: 16,
                                                            established: 8, establishedIntervalSeconds: 0.2))
                let samples = try WorkloadRunner.run(workload, in: context)
                func value(_ metric: MetricInfo) throws -> Double {
                    try #require(samples.first { $0.metric == metric.name }?.value, "no \(metric.name)")
                }
                #expect(try value(ConnectionsWorkload.newFlowsPerSecond) > 100)
                #expect(try value(ConnectionsWorkload.openP99) > 0)
                #expect(try value(ConnectionsWorkload.failedConnectTimeout) == 0)
                #expect(try value(ConnectionsWorkload.establishedBroken) == 0)
            }
        }

        /// Not a test but the measurement the README quotes: run by hand with
        /// BENCHLAB_MEASURE_CONNECTIONS=1. Prints the figures; asserts only that they were measured.
        @Test("measure: 256k-flow fill and TCP connections/s against none",
              .enabled(if: ProcessInfo.processInfo.environment["BENCHLAB_MEASURE_CONNECTIONS"] == "1", "set BENCHLAB_MEASURE_CONNECTIONS=1"))
        func measure() throws {
            try withLab { topology, context in
                for try_ in 1...3 {
                    let fill = try FlowFill.run(count: 262_144, rate: 0, seed: UInt64(try_), durationSeconds: 30, filter: .unfiltered, context)
                    print("fill try \(try_): \(fill.report.sent) flows in \(fill.report.elapsedSeconds) s = \(Int(fill.flowsPerSecond)) flows/s, busy \(fill.report.busy), delivered \(fill.delivered ?? 0)")
                }
                // With nf_conntrack tracking every flow, kept below the global nf_conntrack_max (262144
                // here, shared with the host) by a margin: this test does not raise the knob.
                if ToolLocator.exists("nft") {
                    try loadTable(topology, "chain forward {\n type filter hook forward priority filter; policy accept;\n ct state new accept\n}")
                    let before = try conntrackCount(topology)
                    let fill = try FlowFill.run(count: 200_000, rate: 0, seed: 9, durationSeconds: 30, filter: .unfiltered, context)
                    let after = try conntrackCount(topology)
                    print("fill with nf_conntrack: \(fill.report.sent) flows in \(fill.report.elapsedSeconds) s = \(Int(fill.flowsPerSecond)) flows/s, entries \(before) -> \(after)")
                    try Subprocess.run(Command("nft", ["delete", "table", "ip", "bltest"]).inNamespace(topology.filterPoint.namespace))
                        .requireSuccess("delete test table")
                }
                for (clients, concurrency) in [(1, 32), (2, 32), (1, 64), (2, 64), (2, 256)] {
                    let churn = try ConnectionChurn.run(transport: .tcp, rate: 0, durationSeconds: 3, concurrency: concurrency,
                                                        clients: clients, filter: .unfiltered, context)
                    print("tcp churn clients=\(clients) c=\(concurrency): \(churn.succeeded)/\(churn.attempted) in \(churn.elapsedSeconds) s = \(Int(churn.achievedRate)) conn/s, "
                          + "connect p50 \(churn.open.p50Microseconds) p99 \(churn.open.p99Microseconds) µs, failed \(churn.failed.counts.filter { $0.value > 0 })")
                    #expect(churn.succeeded > 0)
                }
                let udp = try ConnectionChurn.run(transport: .udp, rate: 0, durationSeconds: 3, concurrency: 64, filter: .unfiltered, context)
                print("udp churn c=64: \(udp.succeeded)/\(udp.attempted) = \(Int(udp.achievedRate)) flows/s, p99 \(udp.open.p99Microseconds) µs")
            }
        }
    }
}
