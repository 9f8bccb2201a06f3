import LabNetwork
import LabConntrack
import LabNetlink
import LabPolicy
import LabTopology

/// The lab's nftables table in one namespace, with the layout as installed and updated so far (an
/// update decides from it whether a rule can join a set).
final class NftablesInstallation: Installation {
    let point: FilterPoint
    let enforcedPolicy: Policy
    let gates: [String: String]
    let installMilliseconds: Double?
    /// nf_conntrack of the namespace, for a stateful policy.
    let tracker: (any ConnectionTracker)?
    let placement: NftablesPlacement
    private var layout: ChainLayout
    private var family: String { placement.family }

    init(point: FilterPoint, policy: Policy, placement: NftablesPlacement, layout: ChainLayout, gates: [String: String],
         installMilliseconds: Double) throws {
        self.point = point
        self.placement = placement
        self.enforcedPolicy = policy
        self.layout = layout
        self.gates = gates
        self.installMilliseconds = installMilliseconds
        tracker = try NfConntrackTracker.forInstallation(of: policy, in: point.namespace)
    }

    var backend: BackendKind { placement.backendKind }

    /// One element added to a set when the rule can join it without changing any verdict (see
    /// `ChainLayout.setAccepting`), else one rule inserted at the start of the policy chain; either
    /// way one `nft -f` transaction. With auto-merge, nft reads the set back to merge the new
    /// interval, so an element add costs more than a rule insert on a big set: the time shows it.
    func update(adding rule: Rule) throws -> Double? {
        let new = NetfilterRule(rule)
        if let target = layout.setAccepting(new), case .prefix(let prefix) = new.source {
            let milliseconds = try NftablesBackend.nft(NftablesScript.elementAddition(set: target.name, prefix, family: family)).run(in: point.namespace)
            layout = layout.extendingSet(at: target.index, with: prefix)
            return milliseconds
        }
        let milliseconds = try NftablesBackend.nft(NftablesScript.insertion(new, family: family)).run(in: point.namespace)
        layout = layout.inserting(new)
        return milliseconds
    }

    func counters() throws -> FilterCounters {
        let json = try NetfilterQuery.run("nft", ["-j", "list", "chain", family, NftablesScript.table,
                                                  NftablesScript.policyChain], in: point.namespace)
        let packets = try NftablesCounterReader.packetsByVerdict(json)
        return FilterCounters(allowedPackets: packets.accepted, deniedPackets: packets.dropped)
    }

    /// Chain rules plus set intervals as auto-merge leaves them, in the layout as installed and
    /// updated: a dense prefix list collapses.
    func installedEntries() throws -> Int? {
        layout.rules.count + layout.sets.reduce(0) { $0 + IPv4Prefix.mergedIntervalCount($1.prefixes) }
    }

    func remove() throws {
        tracker?.stop()
        try NftablesBackend.nft(NftablesScript.removal(family: family)).run(in: point.namespace)
    }
}
