
/// The two iptables front ends: the same rule language, two kernel paths. `legacy` replaces the
/// whole table blob (x_tables) on every change; `nft` translates each rule into nf_tables
/// expressions and sends it in one netlink batch.
public enum IptablesVariant: String, Sendable, CaseIterable {
    case legacy
    case nft

    var tool: String { "iptables-\(rawValue)" }
    var restoreTool: String { "iptables-\(rawValue)-restore" }
    var saveTool: String { "iptables-\(rawValue)-save" }

    var backendKind: BackendKind { self == .legacy ? .iptablesLegacy : .iptablesNft }
}
