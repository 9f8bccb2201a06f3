import LabBPF
import LabPolicy
import LabSystem
import LabTestSupport
import LabTopology

/// A `pair` topology made for one test by the same builder runs use, journaled and rolled back
/// afterwards — also when the test fails or throws (deleting a namespace deletes its veth end, the
/// peer, and every program attached there):
///
///     client: bl<id>-c0 198.18.0.1/30  <-veth->  bl<id>-s0 198.18.0.2/30 :the device under test
///
/// The device under test's interface faces the client, as the filter is attached in a real run.
struct ThrowawayLab {
    let topology: Topology

    /// The topology's id: interface names are "bl<tag>-…".
    var tag: String { topology.id }
    var clientNamespace: String { topology.client }
    var dutNamespace: String { topology.filterPoint.namespace }
    var clientInterface: String { topology.clientInterface.name }
    var dutInterface: String { topology.filterPoint.ingressInterface }
    var dut: InterfaceTarget { InterfaceTarget(interface: dutInterface, namespace: dutNamespace) }

    static func with<T>(_ body: (ThrowawayLab) throws -> T) throws -> T {
        try withTestJournal("bpf") { journal in
            try body(ThrowawayLab(topology: try TopologyBuilder.up(.pair, journal: journal)))
        }
    }

    /// `command` run in the dut namespace; its stdout.
    func inDut(_ executable: String, _ arguments: [String]) throws -> String {
        try Subprocess.run(Command(executable, arguments).inNamespace(dutNamespace), timeout: 20)
            .requireSuccess().stdout
    }
}
