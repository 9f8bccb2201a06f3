import LabTopology

/// The packet counters of an SNAT installation's two chains, since install.
struct SNATRuleCounters: Equatable, Sendable {
    /// Packets the nat chain's translating rules matched: one per new flow (nat chains see only a
    /// connection's first packet; conntrack applies the mapping to the rest).
    var translated: UInt64
    /// Packets the filter chain let out (every packet of a selected flow in the egress direction).
    var accepted: UInt64
    /// Packets the filter chain dropped: sources no rule lets out through this gateway.
    var dropped: UInt64
}

/// What an SNAT installation needs from its front end (iptables-restore or nft): read the counters,
/// put one egress rule in front, and remove everything, as found in the kernel.
protocol SNATRuleset {
    var backendKind: BackendKind { get }
    func counters(at point: FilterPoint) throws -> SNATRuleCounters
    /// One atomic load putting `entry` in front of both chains.
    func insertion(_ entry: SNATLayout.Entry, layout: SNATLayout) -> BulkLoad
    /// Chain rules installed for `layout` (both chains, closing drop included).
    func ruleCount(_ layout: SNATLayout) -> Int
    func remove(at point: FilterPoint) throws
}
