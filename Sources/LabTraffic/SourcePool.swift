import LabNetwork
import LabPolicy
import LabTopology

/// Where a workload's sources come from in the case's topology, and what the case's policy does with
/// each. The client owns the client pool by AnyIP in `pair`, `routed` and custom topologies; in the
/// gateway preset it is a worker node that owns only its pod CIDR, and its pods (the IPAM plan's) come
/// first. Chosen from the topology and the policy alone, so every backend of a case — `none` included
/// — is sent the same flows.
public struct SourcePool: Sendable, Equatable {
    /// What the client owns.
    public var prefixes: [IPv4Prefix]
    /// Tried before the spread over `prefixes`: the client node's pods.
    public var preferred: [IPv4Address]

    public init(prefixes: [IPv4Prefix], preferred: [IPv4Address] = []) {
        self.prefixes = prefixes
        self.preferred = preferred
    }

    public static let clientPool = SourcePool(prefixes: AddressPlan.clientPool)

    public init(topology: Topology) {
        let cidrs = topology.clientPodCIDRs
        self = cidrs.isEmpty ? .clientPool : SourcePool(prefixes: cidrs, preferred: topology.clientPodAddresses)
    }

    /// "client-pool source" or "pod address", and their plurals, for messages.
    public var noun: String { preferred.isEmpty ? "client-pool source" : "pod address" }
    public var nouns: String { preferred.isEmpty ? "client-pool sources" : "pod addresses" }

    public func contains(_ address: IPv4Address) -> Bool { prefixes.contains { $0.contains(address) } }

    /// The case's verdict for a flow: the filter's, and at an egress gateway a source no egress rule
    /// selects is dropped there, as the filter's deny.
    public static func verdict(_ policy: Policy, _ flow: Flow) -> Action {
        if let snat = policy.snat, EgressReference.egressIP(snat, source: flow.source) == nil { return .deny }
        return ReferenceEvaluator.verdict(policy, flow)
    }
}
