import LabSystem
import LabTopology

/// The BLPOLICY chain in one namespace, through one iptables front end and at one placement: how it
/// is loaded, extended, read and removed. Shared by the linear-chain backends (every placement) and
/// the ipset backend (filter).
struct IptablesPolicyChain {
    let variant: IptablesVariant
    var placement: IptablesPlacement = .filter

    /// The backend this chain belongs to: the placement names it where it is not filter's.
    var backendKind: BackendKind {
        switch placement {
        case .filter: return variant.backendKind
        case .raw: return .iptablesRaw
        case .filterNotrack: return .iptablesNotrack
        }
    }

    private var table: String { placement.table }

    /// Every write goes through `-restore`: one atomic commit per load. `-w` waits for the xtables
    /// lock instead of failing when another iptables process holds it (legacy only; the nft front
    /// end accepts and ignores it).
    func load(_ text: String) -> BulkLoad {
        BulkLoad(tool: variant.restoreTool, arguments: ["-w", "--noflush"], input: text)
    }

    func install(_ policyChain: String, at point: FilterPoint) throws -> BulkLoad {
        guard let text = IptablesRestoreFile.attaching(policyChain, at: point, placement: placement) else {
            throw LabFailure("\(backendKind.rawValue): the artifact is not an iptables-restore policy chain ending with COMMIT, "
                             + "or it is stateful and \(point.namespace)'s filter point does not forward")
        }
        return load(text)
    }

    func insert(_ rule: NetfilterRule) -> BulkLoad {
        load(IptablesRestoreFile.insertion(rule, table: table))
    }

    /// The policy chain's rule counters; for raw, that is what the packet-rate workload's
    /// `pps_dropped` reads, since raw is where the flood ends.
    func counters(at point: FilterPoint) throws -> FilterCounters {
        let text = try NetfilterQuery.run(variant.saveTool, ["-c", "-t", table], in: point.namespace)
        let packets = IptablesSaveReader(text).packetsByVerdict(in: IptablesRestoreFile.chain)
        return FilterCounters(allowedPackets: packets.accepted, deniedPackets: packets.dropped)
    }

    /// Removes the jumps and the chain as found in the kernel (so it works without any memory of the
    /// install, and twice), then the NOTRACK rule of `filterNotrack`. With the nft front end an
    /// emptied table is then deleted too, so the namespace's nftables ruleset is empty again:
    /// `iptables-nft-restore` without `--noflush` on an empty `*filter` deletes the table (iptables
    /// 1.8.9); legacy tables cannot be deleted, and an empty one with ACCEPT policies filters nothing.
    func remove(at point: FilterPoint) throws {
        if try hasTable(table, in: point.namespace) {
            let reader = try IptablesSaveReader(NetfilterQuery.run(variant.saveTool, ["-t", table], in: point.namespace))
            let chains = [IptablesRestoreFile.stateChain, IptablesRestoreFile.chain]
            let jumps = chains.flatMap { reader.jumps(to: $0) }
            if let removal = IptablesRestoreFile.removal(jumps: jumps, chains: chains.filter(reader.declaresChain), table: table) {
                try load(removal).run(in: point.namespace)
            }
        }
        if let notrack = placement.notrackSpecification(point), try hasTable("raw", in: point.namespace) {
            let reader = try IptablesSaveReader(NetfilterQuery.run(variant.saveTool, ["-t", "raw"], in: point.namespace))
            if reader.contains(rule: notrack) { try load("*raw\n-D \(notrack)\nCOMMIT\n").run(in: point.namespace) }
        }
        guard variant == .nft else { return }
        let after = try IptablesSaveReader(NetfilterQuery.run(variant.saveTool, ["-t", table], in: point.namespace))
        if after.isPristine {
            try BulkLoad(tool: variant.restoreTool, arguments: ["-w"], input: "*\(table)\nCOMMIT\n").run(in: point.namespace)
        }
    }

    /// Whether there is such a table to look at. x_tables instantiates a legacy table in a namespace
    /// the first time anything asks for it (upstream "netfilter: xtables: don't hook tables by
    /// default"; seen here: a fresh namespace lists no table until the first iptables-legacy call),
    /// so even `iptables-legacy-save` would create one; /proc/net/ip_tables_names lists the tables
    /// that exist without creating any. iptables-nft-save only reads.
    private func hasTable(_ name: String, in namespace: String) throws -> Bool {
        guard variant == .legacy else { return true }
        return try NetfilterQuery.run("cat", ["/proc/net/ip_tables_names"], in: namespace)
            .split(whereSeparator: \.isNewline).contains { $0 == name }
    }

    /// `iptables_variant` as the tool reports itself ("legacy" or "nf_tables"), plus its version,
    /// and where the chain drops (`drop_point`).
    func gates(in namespace: String, at point: FilterPoint) throws -> [String: String] {
        let version = ToolVersion(try NetfilterQuery.run(variant.tool, ["--version"], in: namespace))
        var gates: [String: String] = [:]
        gates["iptables_variant"] = version.flavour
        gates["iptables_version"] = version.version
        gates[DropPoint.gate] = placement.dropPoint(point)
        return gates
    }
}
