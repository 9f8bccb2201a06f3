import Foundation
import LabSystem

/// What a namespace's firewall holds, read with read-only commands: the nftables ruleset (which
/// also shows iptables-nft's tables), the legacy tables, and the ipsets.
struct FirewallSnapshot: Equatable, CustomStringConvertible {
    /// `nft -s list ruleset`: stateless, so counters moving with traffic are not a difference.
    var nftRuleset: String
    /// /proc/net/ip_tables_names: the x_tables tables instantiated in the namespace.
    var legacyTables: [String]
    /// `iptables-legacy-save -t filter` without its comment lines, when a legacy filter table exists.
    var legacyFilter: String?
    /// The same for the legacy raw table (iptables-raw and iptables-notrack write there).
    var legacyRaw: String?
    var ipsets: [String]

    /// `namespace` nil: the root namespace (the host's firewall, which no test may change).
    static func take(_ namespace: String?) throws -> FirewallSnapshot {
        func read(_ tool: String, _ arguments: [String]) throws -> String {
            try Subprocess.run(Command(tool, arguments).inNamespace(namespace), timeout: 30)
                .requireSuccess("read the firewall of \(namespace ?? "the root namespace")").stdout
        }
        let tables = try read("cat", ["/proc/net/ip_tables_names"]).split(whereSeparator: \.isNewline).map(String.init).sorted()
        // Only read a legacy table that exists: asking x_tables for a missing one instantiates it
        // (tables are created on first use, per namespace), which would itself change the firewall.
        // Chain counters ("[12:3456]") move with the host's traffic; only the rules matter here.
        func legacy(_ table: String) throws -> String? {
            guard tables.contains(table) else { return nil }
            return try read("iptables-legacy-save", ["-t", table]).split(separator: "\n").filter { !$0.hasPrefix("#") }
                .map { $0.split(separator: " ").filter { !$0.hasPrefix("[") }.joined(separator: " ") }.joined(separator: "\n")
        }
        let sets = ToolLocator.exists("ipset") ? try read("ipset", ["list", "-n"]).split(whereSeparator: \.isNewline).map(String.init) : []
        return FirewallSnapshot(nftRuleset: ToolLocator.exists("nft") ? try read("nft", ["-s", "list", "ruleset"]) : "",
                                legacyTables: tables, legacyFilter: try legacy("filter"), legacyRaw: try legacy("raw"), ipsets: sets)
    }

    /// Nothing a policy could have left: no nftables table, no ipset, and legacy filter and raw tables
    /// (if one was ever instantiated) with no rule, no user chain and ACCEPT policies.
    var isEmpty: Bool {
        let legacyIsPristine = [legacyFilter, legacyRaw].allSatisfy { table in
            table.map { text in
                text.split(separator: "\n").allSatisfy { line in
                    ["*filter", "*raw", "COMMIT"].contains(line) || (line.hasPrefix(":") && line.split(separator: " ").dropFirst().first == "ACCEPT")
                }
            } ?? true
        }
        return nftRuleset.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty && ipsets.isEmpty && legacyIsPristine
    }

    var description: String {
        "nft: \(nftRuleset.isEmpty ? "(empty)" : nftRuleset); legacy tables: \(legacyTables); legacy filter: \(legacyFilter ?? "-"); legacy raw: \(legacyRaw ?? "-"); ipsets: \(ipsets)"
    }
}
