import LabPolicy
import LabSystem
import LabTopology

/// iptables as most rulesets are written: a jump from FORWARD/INPUT to one user chain holding one
/// rule per policy rule, in order, then the default verdict. Every packet walks the chain until a
/// rule matches, so the cost grows with the rule count: the real-world baseline eBPF is compared to.
public final class IptablesBackend: FilterBackend {
    public let variant: IptablesVariant
    private var chain: IptablesPolicyChain { IptablesPolicyChain(variant: variant) }
    public private(set) var gates: [String: String] = [:]
    private var installedIn: Set<String> = []

    public init(variant: IptablesVariant) {
        self.variant = variant
    }

    public var kind: BackendKind { variant.backendKind }

    /// One chain rule per policy rule: the linear chain every packet walks.
    public func installedEntries(policy: Policy) throws -> Int? {
        ChainLayout.linear(policy).rules.count
    }

    public func compile(_ policy: Policy) throws -> BackendArtifact {
        try NetfilterSupport.check(policy, for: kind)
        let comment = [
            "benchlab \(kind.rawValue): \(policy.rules.count) rules, default \(policy.defaultAction.rawValue)",
            "load: \(variant.restoreTool) -w --noflush; install adds -A <FORWARD|INPUT> -i <ingress> -j \(IptablesRestoreFile.chain) before COMMIT",
        ]
        return BackendArtifact(kind: "rules", text: IptablesRestoreFile.policyChain(.linear(policy), comment: comment))
    }

    /// The exact loads `install` runs, for inspection and for replaying by hand.
    public func installLoads(_ artifact: BackendArtifact, at point: FilterPoint) throws -> [BulkLoad] {
        [try chain.install(artifact.text, at: point)]
    }

    public func install(_ artifact: BackendArtifact, policy: Policy, at point: FilterPoint) throws -> Double {
        try NetfilterSupport.check(policy, for: kind)
        guard !installedIn.contains(point.namespace) else {
            throw LabFailure("\(kind.rawValue): already installed in \(point.namespace); remove it first")
        }
        let loads = try installLoads(artifact, at: point)
        gates = try chain.gates(in: point.namespace)
        let milliseconds = try loads.reduce(0) { $0 + (try $1.run(in: point.namespace)) }
        installedIn.insert(point.namespace)
        return milliseconds
    }

    /// `-I BLPOLICY 1` through the same restore path. Legacy rebuilds and swaps the whole table blob
    /// for it, so its cost grows with the table; iptables-nft sends one rule.
    public func update(adding rule: Rule, at point: FilterPoint) throws -> Double {
        try chain.insert(NetfilterRule(rule)).run(in: point.namespace)
    }

    public func remove(at point: FilterPoint) throws {
        try chain.remove(at: point)
        installedIn.remove(point.namespace)
    }

    public func counters(at point: FilterPoint) throws -> FilterCounters {
        try chain.counters(at: point)
    }
}
