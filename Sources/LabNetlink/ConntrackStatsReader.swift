/// Reads a lab namespace's nf_conntrack count and per-CPU statistics over ctnetlink — the same
/// requests `conntrack -C` and `conntrack -S` send — instead of /proc/net/stat/nf_conntrack, which
/// many distribution kernels do not have. One socket, opened once in the namespace: a count is one
/// request and one reply, cheap enough to sample every 100–250 ms during traffic. Safe to share
/// between threads: the socket serializes its request/answer exchanges.
public final class ConntrackStatsReader: @unchecked Sendable {
    public let namespace: String
    private let socket: ConntrackNetlinkSocket

    public init(namespace: String) throws {
        self.namespace = namespace
        socket = try ConntrackNetlinkSocket(namespace: namespace)
    }

    /// Entries in the namespace's table, and nf_conntrack_max.
    public func tableCount() throws -> ConntrackTableCount {
        try ConntrackStatsDecoder.tableCount(try socket.request(ConntrackMessage.getStats, dump: false))
    }

    /// The per-CPU counters of the namespace (since it was created).
    public func perCPU() throws -> [ConntrackCPUStatistics] {
        try ConntrackStatsDecoder.perCPU(try socket.request(ConntrackMessage.getStatsCPU, dump: true))
    }

    /// The raw replies, as the decoders read them: for capturing test fixtures.
    public func rawReplies() throws -> (tableCount: [UInt8], perCPU: [UInt8]) {
        (try socket.request(ConntrackMessage.getStats, dump: false), try socket.request(ConntrackMessage.getStatsCPU, dump: true))
    }
}
