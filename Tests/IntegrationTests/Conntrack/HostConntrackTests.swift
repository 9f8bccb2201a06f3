import Foundation
import LabBackends
import LabNetwork
import LabPolicy
import LabResults
import LabRunner
import LabScenario
import LabTestSupport
import LabTopology
import LabTraffic
import Testing

extension KernelTests {
    /// `host_conntrack: true`: nf_conntrack runs at the filter point for every backend, and the
    /// collectors count its entries, so a run shows which drop points leave conntrack work behind.
    @Suite("Host conntrack switched on for every backend")
    struct HostConntrackTests {
        static let policy = Policy(rules: [Rule(action: .deny, source: IPv4Prefix("198.19.128.0/17"), proto: .udp)],
                                   defaultAction: .allow)

        /// One round of a one-second flood from denied sources through `backend`.
        func flood(_ backend: BackendKind, hostConntrack: Bool) throws -> CaseExecutor.Outcome {
            try withTestJournal("host-ct") { journal in
                let scratch = try TestEnvironment.temporaryDirectory("host-ct")
                defer { try? FileManager.default.removeItem(atPath: scratch) }
                let executor = CaseExecutor(topologySource: .preset(.routed), journal: journal, scratchRoot: scratch,
                                            agentExecutable: TestEnvironment.benchlabBinary, hostConntrack: hostConntrack)
                let workload = PacketRateWorkload(name: "pr", durationSeconds: 0.5, packetsPerSecond: 20_000, deniedShare: 1)
                let spec = CaseSpec(backend: backend, variant: Variant(point: [], workloads: [Workload(workload)], policy: Self.policy))
                return try executor.execute(spec, backend: try BackendFactory.make(backend), round: 0, probe: false)
            }
        }

        func value(_ outcome: CaseExecutor.Outcome, _ metric: String) -> Double? {
            outcome.samples.first { $0.workload == "pr" && $0.metric == metric }?.value
        }

        @Test("without a filter the flood's flows become entries; the gate says conntrack was on")
        func unfilteredFloodIsTracked() throws {
            let outcome = try flood(.none, hostConntrack: true)
            #expect(outcome.gates["host_conntrack"]?.hasPrefix("on") == true)
            // The flood cycles through 100 source ports: one UDP entry each once delivered.
            let added = try #require(value(outcome, "ct_entries_added"))
            #expect(added >= 50 && added <= 100)
        }

        @Test("a drop in filter FORWARD confirms no entry: the unconfirmed one dies with the packet")
        func droppedFloodLeavesNoEntry() throws {
            let outcome = try flood(.iptablesLegacy, hostConntrack: true)
            #expect(try #require(value(outcome, "pps_dropped")) > 0)
            #expect(value(outcome, "ct_entries_added") == 0)
        }

        @Test("off by default: no conntrack numbers for a stateless policy")
        func offByDefault() throws {
            let outcome = try flood(.none, hostConntrack: false)
            #expect(outcome.gates["host_conntrack"] == nil)
            #expect(value(outcome, "ct_entries_added") == nil)
        }
    }
}
