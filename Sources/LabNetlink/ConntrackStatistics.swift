import CNetfilterConntrack

/// nf_conntrack's per-CPU counters, under the names `conntrack -S` prints. The kernel leaves out an
/// attribute it does not keep (older kernels have no clash_resolve or chaintoolong): absent is 0.
public enum ConntrackStatistic {
    /// Names in `conntrack -S` order, with the CTA_STATS_* attribute that carries each.
    static let attributes: [(name: String, type: UInt16)] = [
        ("found", UInt16(CTA_STATS_FOUND.rawValue)),
        ("invalid", UInt16(CTA_STATS_INVALID.rawValue)),
        ("insert", UInt16(CTA_STATS_INSERT.rawValue)),
        ("insert_failed", UInt16(CTA_STATS_INSERT_FAILED.rawValue)),
        ("drop", UInt16(CTA_STATS_DROP.rawValue)),
        ("early_drop", UInt16(CTA_STATS_EARLY_DROP.rawValue)),
        ("error", UInt16(CTA_STATS_ERROR.rawValue)),
        ("search_restart", UInt16(CTA_STATS_SEARCH_RESTART.rawValue)),
        ("clash_resolve", UInt16(CTA_STATS_CLASH_RESOLVE.rawValue)),
        ("chaintoolong", UInt16(CTA_STATS_CHAIN_TOOLONG.rawValue)),
    ]

    public static var names: [String] { attributes.map(\.name) }
}

/// One CPU's counters since the namespace was created.
public struct ConntrackCPUStatistics: Sendable, Equatable {
    public var cpu: Int
    /// Every name in `ConntrackStatistic.names`, absent attributes as 0.
    public var counters: [String: UInt64]

    public init(cpu: Int, counters: [String: UInt64]) {
        self.cpu = cpu
        self.counters = counters
    }

    /// The counters of every CPU added up, by name.
    public static func sum(_ cpus: [ConntrackCPUStatistics]) -> [String: UInt64] {
        var total = Dictionary(uniqueKeysWithValues: ConntrackStatistic.names.map { ($0, UInt64(0)) })
        for cpu in cpus {
            for (name, value) in cpu.counters { total[name, default: 0] &+= value }
        }
        return total
    }
}

/// What IPCTNL_MSG_CT_GET_STATS answers: the namespace's entry count and the (global) limit.
public struct ConntrackTableCount: Sendable, Equatable {
    /// Entries in this namespace's table.
    public var entries: Int
    /// nf_conntrack_max, shared by every namespace.
    public var maxEntries: Int

    public init(entries: Int, maxEntries: Int) {
        self.entries = entries
        self.maxEntries = maxEntries
    }
}
