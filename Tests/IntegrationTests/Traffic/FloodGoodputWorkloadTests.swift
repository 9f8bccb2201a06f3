import Foundation
import LabBackends
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
    /// Loose bounds only: these show the workload measures what it claims (transactions beside a
    /// flood, the flood's drops), not how fast this machine is.
    @Suite("Flood-goodput workload in a pair lab")
    struct FloodGoodputWorkloadTests {
        /// The flood's sources are denied; the client's own address (198.18.0.x) is allowed.
        static let policy = Policy(rules: [Rule(action: .deny, source: IPv4Prefix("198.19.255.0/24"))], defaultAction: .allow)
        static let receiveCPU: Int? = ProcessInfo.processInfo.activeProcessorCount > 1 ? 1 : nil

        static func workload(share: Double) -> FloodGoodputWorkload {
            FloodGoodputWorkload(name: "gp", floodShare: share, durationSeconds: 1, deniedFrom: IPv4Prefix("198.19.255.0/24"),
                                 receiveCPU: receiveCPU)
        }

        func value(_ samples: [Sample], _ metric: String) throws -> Double {
            try #require(samples.first { $0.metric == metric }?.value, "no \(metric) in \(samples.map(\.metric))")
        }

        @Test("at share 0, under none and nftables, transactions complete and no flood is offered or measured",
              .enabled(if: ToolLocator.exists("nft"), "nft is not installed"))
        func noFlood() throws {
            try withTestJournal("flood-goodput") { journal in
                let scratch = try TestEnvironment.temporaryDirectory("flood-goodput")
                defer { try? FileManager.default.removeItem(atPath: scratch) }
                let executor = CaseExecutor(topologySource: .preset(.pair), journal: journal, scratchRoot: scratch,
                                            agentExecutable: TestEnvironment.benchlabBinary)
                for kind in [BackendKind.none, .nftables] {
                    let spec = CaseSpec(backend: kind, variant: Variant(point: [], workloads: [Workload(Self.workload(share: 0))],
                                                                        policy: Self.policy))
                    let outcome = try executor.execute(spec, backend: try BackendFactory.make(kind), round: 0, probe: false)
                    let samples = outcome.samples.filter { $0.workload == "gp" }
                    #expect(try value(samples, "tps") > 0, "\(kind)")
                    #expect(try value(samples, "rr_p99_us") >= value(samples, "rr_p50_us"), "\(kind)")
                    #expect(try value(samples, "flood_pps_offered") == 0, "\(kind)")
                    let floodMetrics = samples.map(\.metric).filter { ["flood_pps_dropped", "generator_ceiling_pps"].contains($0) }
                    #expect(floodMetrics.isEmpty, "\(kind): \(floodMetrics)")
                }
            }
        }

        @Test("at share 1 under nftables the flood is dropped and counted, transactions still complete, and no agent outlives the run",
              .enabled(if: ToolLocator.exists("nft"), "nft is not installed"))
        func fullFloodUnderNftables() throws {
            try withTestJournal("flood-goodput-nft") { journal in
                let topology = try TopologyBuilder.up(.pair, journal: journal)
                let scratch = try TestEnvironment.temporaryDirectory("flood-goodput-nft")
                defer { try? FileManager.default.removeItem(atPath: scratch) }
                let context = TrafficContext(topology: topology, scratchDirectory: scratch, agentExecutable: TestEnvironment.benchlabBinary)
                let backend = try BackendFactory.make(.nftables)
                let installation = try backend.install(backend.compile(Self.policy), policy: Self.policy, at: topology.filterPoint)
                defer { try? installation.remove() }
                let filter = FilterUnderTest(policy: Self.policy, enforces: true, droppedPackets: { try installation.counters().deniedPackets })
                let samples = try WorkloadRunner.run(Workload(Self.workload(share: 1)), in: context, filter: filter)
                let offered = try value(samples, "flood_pps_offered")
                let dropped = try value(samples, "flood_pps_dropped")
                #expect(offered > 1000)
                #expect(try value(samples, "generator_ceiling_pps") > 1000)
                // Every flood packet comes from a denied source; some may be lost before the filter
                // (a full backlog on the receive CPU), none counted twice.
                #expect(dropped > 0 && dropped <= offered * 1.001, "dropped \(dropped) of \(offered) pps")
                #expect(try value(samples, "tps") > 0)
                if Self.receiveCPU != nil {
                    #expect(try value(samples, "rx_cpu") == 1)
                    #expect(try value(samples, "rx_cpu_ns_per_pkt") > 0)
                }
                for namespace in [topology.client, topology.server] {
                    let pids = try Subprocess.run(Command("ip", ["netns", "pids", namespace]))
                    #expect(pids.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "left in \(namespace): \(pids.stdout)")
                }
            }
        }

        /// The flood is open loop: a slow filter does not slow it down. A linear iptables chain of
        /// 5000 rules before the flood's rule drops a few tens of thousands of packets per second on
        /// the receive CPU; the flood keeps offering its pace and what the full queue refuses is lost.
        @Test("an open-loop flood keeps its pace past a slow filter and counts what the full queue refused",
              .enabled(if: receiveCPU != nil, "needs a second CPU for the receive path"))
        func openLoopPastASlowFilter() throws {
            try withTestJournal("flood-goodput-open") { journal in
                let scratch = try TestEnvironment.temporaryDirectory("flood-goodput-open")
                defer { try? FileManager.default.removeItem(atPath: scratch) }
                let executor = CaseExecutor(topologySource: .preset(.pair), journal: journal, scratchRoot: scratch,
                                            agentExecutable: TestEnvironment.benchlabBinary)
                let chain = (0..<5000).map { index in
                    Rule(action: .deny, source: IPv4Prefix(address: IPv4Address(IPv4Prefix("198.18.64.0/18")!.first.value + UInt32(index)), length: 32))
                }
                let policy = Policy(rules: chain + Self.policy.rules, defaultAction: .allow)
                let spec = CaseSpec(backend: .iptablesLegacy, variant: Variant(point: [], workloads: [Workload(Self.workload(share: 0.5))],
                                                                              policy: policy))
                let outcome = try executor.execute(spec, backend: try BackendFactory.make(.iptablesLegacy), round: 0, probe: false)
                let samples = outcome.samples.filter { $0.workload == "gp" }
                let offered = try value(samples, "flood_pps_offered")
                let dropped = try value(samples, "flood_pps_dropped")
                let refused = try value(samples, "flood_pps_refused")
                #expect(refused > 0, "offered \(offered), dropped \(dropped)")
                #expect(offered > 2 * dropped, "offered \(offered), dropped \(dropped), refused \(refused)")
            }
        }
    }
}
