import LabSystem
import LabTopology

/// The BLPOLICY chain in one namespace, through one iptables front end: how it is loaded, extended,
/// read and removed. Shared by the linear-chain backend and the ipset backend.
struct IptablesPolicyChain {
    let variant: IptablesVariant

    /// Every write goes through `-restore`: one atomic commit per load. `-w` waits for the xtables
    /// lock instead of failing when another iptables process holds it (legacy only; the nft front
    /// end accepts and ignores it).
    func load(_ text: String) -> BulkLoad {
        BulkLoad(tool: variant.restoreTool, arguments: ["-w", "--noflush"], input: text)
    }

    func install(_ policyChain: String, at point: FilterPoint) throws -> BulkLoad {
        guard let text = IptablesRestoreFile.attaching(policyChain, at: point) else {
            throw LabFailure("\(variant.backendKind.rawValue): the artifact is not an iptables-restore policy chain ending with COMMIT, "
                             + "or it is stateful and \(point.namespace)'s filter point does not forward")
        }
        return load(text)
    }

    func insert(_ rule: NetfilterRule) -> BulkLoad {
        load(IptablesRestoreFile.insertion(rule))
    }

    func counters(at point: FilterPoint) throws -> FilterCounters {
        let text = try NetfilterQuery.run(variant.saveTool, ["-c", "-t", "filter"], in: point.namespace)
        let packets = IptablesSaveReader(text).packetsByVerdict(in: IptablesRestoreFile.chain)
        return FilterCounters(allowedPackets: packets.accepted, deniedPackets: packets.dropped)
    }

    /// Removes the jumps and the chain as found in the kernel (so it works without any memory of the
    /// install, and twice). With the nft front end an emptied table is then deleted too, so the
    /// namespace's nftables ruleset is empty again: `iptables-nft-restore` without `--noflush` on an
    /// empty `*filter` deletes the table (iptables 1.8.9); legacy tables cannot be deleted, and an
    /// empty one with ACCEPT policies filters nothing.
    func remove(at point: FilterPoint) throws {
        guard try hasFilterTable(in: point.namespace) else { return }
        let reader = try IptablesSaveReader(NetfilterQuery.run(variant.saveTool, ["-t", "filter"], in: point.namespace))
        let chains = [IptablesRestoreFile.stateChain, IptablesRestoreFile.chain]
        let jumps = chains.flatMap { reader.jumps(to: $0) }
        if let removal = IptablesRestoreFile.removal(jumps: jumps, chains: chains.filter(reader.declaresChain)) {
            try load(removal).run(in: point.namespace)
        }
        guard variant == .nft else { return }
        let after = try IptablesSaveReader(NetfilterQuery.run(variant.saveTool, ["-t", "filter"], in: point.namespace))
        if after.isPristine {
            try BulkLoad(tool: variant.restoreTool, arguments: ["-w"], input: "*filter\nCOMMIT\n").run(in: point.namespace)
        }
    }

    /// Whether there is a filter table to look at. x_tables instantiates a legacy table in a namespace
    /// the first time anything asks for it (upstream "netfilter: xtables: don't hook tables by
    /// default"; seen here: a fresh namespace lists no table until the first iptables-legacy call),
    /// so even `iptables-legacy-save` would create one; /proc/net/ip_tables_names lists the tables
    /// that exist without creating any. iptables-nft-save only reads.
    private func hasFilterTable(in namespace: String) throws -> Bool {
        guard variant == .legacy else { return true }
        return try NetfilterQuery.run("cat", ["/proc/net/ip_tables_names"], in: namespace)
            .split(whereSeparator: \.isNewline).contains("filter")
    }

    /// `iptables_variant` as the tool reports itself ("legacy" or "nf_tables"), plus its version.
    func gates(in namespace: String) throws -> [String: String] {
        let version = ToolVersion(try NetfilterQuery.run(variant.tool, ["--version"], in: namespace))
        var gates: [String: String] = [:]
        gates["iptables_variant"] = version.flavour
        gates["iptables_version"] = version.version
        return gates
    }
}
