import Foundation
import LabBackends
import LabNetwork
import LabPolicy
import LabRunner
import LabSystem
import LabTestSupport
import LabTopology
import LabTraffic
import Testing

extension KernelTests {
    /// The kfunc tracker on the routed topology under the stateful policy the netfilter backends are
    /// proved on (StatefulProbeTests.policy, which allows ICMP): the flow probes, the ICMP echo ones
    /// among them, and the state probes agree with the reference. Before ICMP echo had a table of its
    /// own in the program, every allowed ping's reply was dropped as unsolicited.
    @Suite("Stateful equivalence of the kfunc tracker")
    struct CTKfuncEquivalenceTests {
        @Test("a stateful policy passes flow and state probes on the kfunc tracker", arguments: [BackendKind.tcCtKfunc, .xdpCtKfunc])
        func statefulPolicyIsEquivalent(kind: BackendKind) throws {
            try BPFTestEnvironment.requireNamespaces()
            let policy = StatefulProbeTests.policy
            try withTestJournal("ctkfunc") { journal in
                let topology = try TopologyBuilder.up(.routed, journal: journal)
                let scratch = try TestEnvironment.temporaryDirectory("ctkfunc")
                defer { try? FileManager.default.removeItem(atPath: scratch) }
                let backend = try BackendFactory.make(kind)
                let installation: any Installation
                do {
                    installation = try backend.install(try backend.compile(policy), policy: policy, at: topology.filterPoint)
                } catch let error as BackendUnsupported {
                    try Test.cancel(Comment(rawValue: error.description))
                }
                defer { try? installation.remove() }
                let context = TrafficContext(topology: topology, scratchDirectory: scratch, agentExecutable: TestEnvironment.benchlabBinary)
                let record = try Equivalence.check(policy, in: context)
                let flowProbes = ProbeSetGenerator().probes(for: policy).count
                #expect(record.probes == flowProbes + 5, "four unsolicited server-side packets and one invalid client ACK")
                #expect(record.passed, "\(record.mismatches)")
                // The echo replies were tracked ones, not let through by some other path.
                let statistics = try #require(installation.tracker).statistics()
                #expect((statistics["hit_reply"] ?? 0) > 0, "\(statistics)")
            }
        }
    }
}
