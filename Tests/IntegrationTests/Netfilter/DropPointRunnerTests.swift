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
    /// Drop points through the runner, as the drop-ladder scenario drives them: the equivalence
    /// probes pass, the packet-rate workload's `pps_dropped` (read from the backend's own counters:
    /// the raw table for iptables-raw, the netdev chain for nftables-ingress) counts the denied share,
    /// and the case's gates say where it dropped.
    @Suite("Drop points through the runner")
    struct DropPointRunnerTests {
        static let cases: [(BackendKind, String)] = [
            (.none, "application socket (no filter)"),
            (.iptablesRaw, "iptables raw PREROUTING"),
            (.iptablesNotrack, "iptables filter FORWARD, raw NOTRACK"),
            (.nftablesPrerouting, "nftables prerouting priority raw (-300)"),
            (.nftablesIngress, "nftables netdev ingress"),
            (.tc, "tc ingress (tcx)"),
            (.xdp, "xdp (native)"),
        ]

        @Test("probes pass, pps_dropped counts the denied share, drop_point names the hook", arguments: cases)
        func packetRate(kind: BackendKind, dropPoint: String) throws {
            try withTestJournal("drop-\(kind.rawValue)") { journal in
                if kind.family == .netfilter { try NetfilterKernelSupport.require(kind, journal: journal) }
                let scratch = try TestEnvironment.temporaryDirectory("drop-point")
                defer { try? FileManager.default.removeItem(atPath: scratch) }
                let executor = CaseExecutor(topologySource: .preset(.routed), journal: journal, scratchRoot: scratch,
                                            agentExecutable: TestEnvironment.benchlabBinary)
                let policy = Policy(rules: [Rule(action: .deny, source: IPv4Prefix("198.19.128.0/17"), proto: .udp)], defaultAction: .allow)
                let workload = PacketRateWorkload(name: "pr", durationSeconds: 1, deniedShare: 0.25)
                let spec = CaseSpec(backend: kind, variant: Variant(point: [], workloads: [Workload(workload)], policy: policy))
                let outcome: CaseExecutor.Outcome
                do {
                    outcome = try executor.execute(spec, backend: try BackendFactory.make(kind), round: 0, probe: true)
                } catch let error as BackendUnsupported {
                    // The kernel lacks the hook: reported with its reason, which is the behaviour asked for.
                    #expect(error.reason.hasPrefix("not available on this kernel: "))
                    try Test.cancel("\(error.description)")
                }
                let equivalence = try #require(outcome.equivalence)
                #expect(equivalence.passed, "\(equivalence.mismatches)")
                // tc falls back to clsact (documented, tc_fallback_reason says why); drop_point must say so.
                let expected = outcome.gates["tc_hook"] == "clsact" ? "tc ingress (clsact)" : dropPoint
                #expect(outcome.gates["drop_point"] == expected, "\(outcome.gates)")
                let samples = outcome.samples.filter { $0.workload == "pr" }
                let sent = try #require(samples.first { $0.metric == "pps_sent" }?.value)
                print("drop point \(kind.rawValue): " + samples.map { "\($0.metric)=\(Int($0.value))" }.joined(separator: " "))
                if kind != .none {
                    let dropped = try #require(samples.first { $0.metric == "pps_dropped" }?.value)
                    #expect(dropped > 0.15 * sent && dropped < 0.35 * sent, "\(kind.rawValue): dropped \(dropped) of \(sent) pps")
                }
            }
        }

        /// Loopback has no native XDP (no ndo_bpf): the attach is refused (EOPNOTSUPP), the real
        /// shape of a kernel or driver without the drop point. The backend must say "not available
        /// on this kernel" (the runner then skips the case with that reason) and leave nothing attached.
        @Test("xdp where native XDP is missing is unsupported, with the kernel's reason")
        func nativeXDPMissing() throws {
            try BPFTestEnvironment.requireNamespaces()
            try ThrowawayLab.with { lab in
                let point = FilterPoint(namespace: lab.dutNamespace, ingressInterface: "lo", egressInterface: nil, hook: .input)
                let backend = try BackendFactory.make(.xdp)
                let policy = Policy(rules: [Rule(action: .deny, source: IPv4Prefix("198.19.128.0/17"))], defaultAction: .allow)
                let error = try #require(throws: BackendUnsupported.self) {
                    try backend.install(backend.compile(policy), policy: policy, at: point)
                }
                #expect(error.backend == .xdp && error.reason.hasPrefix("not available on this kernel: "), "\(error)")
                #expect(error.exitStatus == .missingFeature)
                #expect(try !lab.inDut("ip", ["link", "show", "lo"]).contains("xdp"))
            }
        }
    }
}
