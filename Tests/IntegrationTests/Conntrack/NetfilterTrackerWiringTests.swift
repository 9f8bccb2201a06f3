import LabBackends
import LabConntrack
import LabNetlink
import LabNetwork
import LabPolicy
import LabSystem
import LabTestSupport
import LabTopology
import Testing

extension KernelTests {
    /// Every netfilter installation of a stateful policy carries the nf_conntrack tracker of its own
    /// namespace (and a stateless one none), and its removal stops the tracker's event reader.
    @Suite("netfilter installations expose nf_conntrack")
    struct NetfilterTrackerWiringTests {
        static let policy = Policy(rules: [Rule(action: .allow, proto: .udp, destinationPorts: PortRange(port: 7001))],
                                   defaultAction: .deny)

        @Test("a stateful install has the namespace's nf_conntrack tracker; a stateless one has none")
        func trackerFollowsThePolicy() throws {
            try withTestJournal("nf-tracker") { journal in
                let topology = try TopologyBuilder.up(.routed, journal: journal)
                let point = topology.filterPoint
                let namespace = ConntrackNamespace(name: point.namespace)
                var stateful = Self.policy
                stateful.tracking = ConnectionTracking()
                for kind in [BackendKind.iptablesLegacy, .iptablesNft, .iptablesIpset, .nftables] {
                    if let reason = try NetfilterKernelSupport.missing(kind, journal: journal) {
                        print("skipping \(kind.rawValue): \(reason)")
                        continue
                    }
                    let backend = try BackendFactory.make(kind)
                    let stateless = try backend.install(backend.compile(Self.policy), policy: Self.policy, at: point)
                    #expect(stateless.tracker == nil, "\(kind.rawValue)")
                    try stateless.remove()

                    let installation = try backend.install(backend.compile(stateful), policy: stateful, at: point)
                    let tracker = try #require(installation.tracker as? NfConntrackTracker, "\(kind.rawValue) has no nf_conntrack tracker")
                    #expect(tracker.kind == .nfConntrack)
                    #expect(tracker.namespace == point.namespace)
                    #expect(try tracker.startDeletionLog())
                    // An entry made in the filter point's namespace is the tracker's, and its deletion is logged.
                    try namespace.insertUDP(sourcePort: 5555, timeout: 300)
                    #expect(try tracker.occupancy() == (try namespace.toolCount()))
                    #expect(try tracker.occupancy() >= 1)
                    #expect(try tracker.statistics()["insert"] ?? 0 >= 1)
                    try namespace.deleteUDP(sourcePort: 5555)
                    let deadline = Deadline(secondsFromNow: 5)
                    var deletions: [TrackedDeletion] = []
                    while deletions.isEmpty, !deadline.hasPassed { deletions += try tracker.drainDeletions() }
                    #expect(deletions.map(\.flow).contains(ConntrackNamespace.udpFlow(sourcePort: 5555)), "\(kind.rawValue)")
                    #expect(throws: LabFailure.self) { try tracker.resize(to: 1000) }
                    // With the runner's setter, resizing is a call to it (the runner journals the global knob).
                    let requested = RequestedLimits()
                    tracker.limiter = { requested.values.append($0); return $0 ?? 0 }
                    try tracker.resize(to: 1000)
                    try tracker.resize(to: nil)
                    #expect(requested.values == [1000, nil])
                    try installation.remove()
                    try installation.remove()
                    #expect(tracker.deletionLogHealth?.isComplete == true)
                }
            }
        }
    }
}

/// What a test's limiter was asked for.
final class RequestedLimits {
    var values: [Int?] = []
}
