import LabSystem
import LabTopology

/// The SNAT chains (`IptablesSNATFile`) in one namespace through one iptables front end: loaded
/// with `-restore -w --noflush`, read with `-save -c`, removed as found in the kernel.
struct IptablesSNATRuleset: SNATRuleset {
    let variant: IptablesVariant

    var backendKind: BackendKind { variant.backendKind }

    func load(_ text: String) -> BulkLoad {
        BulkLoad(tool: variant.restoreTool, arguments: ["-w", "--noflush"], input: text)
    }

    func counters(at point: FilterPoint) throws -> SNATRuleCounters {
        let nat = IptablesSaveReader(try NetfilterQuery.run(variant.saveTool, ["-c", "-t", "nat"], in: point.namespace))
        let filter = IptablesSaveReader(try NetfilterQuery.run(variant.saveTool, ["-c", "-t", "filter"], in: point.namespace))
        let verdicts = filter.packetsByVerdict(in: IptablesSNATFile.filterChain)
        return SNATRuleCounters(translated: nat.packets(in: IptablesSNATFile.natChain, targets: ["MASQUERADE", "SNAT"]),
                                accepted: verdicts.accepted, dropped: verdicts.dropped)
    }

    func insertion(_ entry: SNATLayout.Entry, layout: SNATLayout) -> BulkLoad {
        load(IptablesSNATFile.insertion(entry, layout))
    }

    func ruleCount(_ layout: SNATLayout) -> Int {
        layout.entries.reduce(1) { $0 + $1.sources.count * ($1.translate ? 4 : 1) }
    }

    /// Per table: the jumps, then the chain, as `-save` shows them (idempotent, no memory of the
    /// install). With the nft front end an emptied table is deleted, so the namespace's nftables
    /// ruleset is empty again (see `IptablesPolicyChain.remove`).
    func remove(at point: FilterPoint) throws {
        for (table, chain) in [("filter", IptablesSNATFile.filterChain), ("nat", IptablesSNATFile.natChain)] {
            guard try hasTable(table, in: point.namespace) else { continue }
            let reader = IptablesSaveReader(try NetfilterQuery.run(variant.saveTool, ["-t", table], in: point.namespace))
            let chains = reader.declaresChain(chain) ? [chain] : []
            if let removal = IptablesRestoreFile.removal(jumps: reader.jumps(to: chain), chains: chains, table: table) {
                try load(removal).run(in: point.namespace)
            }
            guard variant == .nft else { continue }
            let after = IptablesSaveReader(try NetfilterQuery.run(variant.saveTool, ["-t", table], in: point.namespace))
            if after.isPristine {
                try BulkLoad(tool: variant.restoreTool, arguments: ["-w"], input: "*\(table)\nCOMMIT\n").run(in: point.namespace)
            }
        }
    }

    /// Whether the table exists, asked without creating it: legacy tables are created by asking for
    /// them (/proc/net/ip_tables_names lists the ones that exist); the nft front end's are nf_tables
    /// tables named like the iptables table, in the `ip` family.
    private func hasTable(_ name: String, in namespace: String) throws -> Bool {
        switch variant {
        case .legacy:
            return try NetfilterQuery.run("cat", ["/proc/net/ip_tables_names"], in: namespace)
                .split(whereSeparator: \.isNewline).contains { $0 == name }
        case .nft:
            return try NetfilterQuery.run("nft", ["list", "tables"], in: namespace)
                .split(whereSeparator: \.isNewline).contains { $0 == "table ip \(name)" }
        }
    }

    func gates(at point: FilterPoint, layout: SNATLayout) throws -> [String: String] {
        let version = ToolVersion(try NetfilterQuery.run(variant.tool, ["--version"], in: point.namespace))
        return ["iptables_variant": version.flavour ?? "unknown", "iptables_version": version.version ?? "unknown",
                "snat": "iptables " + IptablesSNATFile.target(layout, ports: true),
                DropPoint.gate: "iptables filter FORWARD -o \(point.egressInterface ?? "?")"]
    }
}
