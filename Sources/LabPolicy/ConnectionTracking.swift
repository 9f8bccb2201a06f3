/// How a stateful policy tracks connections: the same timeouts, table size and sweeping settings are
/// applied to every tracker (nf_conntrack through per-namespace sysctls, the BPF trackers through
/// their maps and collector), so a difference between trackers is a difference of mechanism, never
/// of configuration. A `Policy` with `tracking == nil` is stateless.
public struct ConnectionTracking: Hashable, Codable, Sendable {
    public var timeouts: ConntrackTimeouts
    /// Entries the table may hold: the BPF trackers' map size, and the nf_conntrack limit the run needs
    /// (the global `nf_conntrack_max` is raised to it, journaled, when it is lower).
    public var tableSize: Int
    public var sweep: SweepSettings

    public init(timeouts: ConntrackTimeouts = .kernelDefaults, tableSize: Int = ConnectionTracking.defaultTableSize,
                sweep: SweepSettings = .adaptiveDefault) {
        self.timeouts = timeouts
        self.tableSize = tableSize
        self.sweep = sweep
    }

    /// Cilium's default CT map size (bpf-ct-global-tcp-max), which is also the order of a node's
    /// nf_conntrack_max.
    public static let defaultTableSize = 524_288
    /// Sizes outside this range are refused: a table needs room for the probes, and 16M entries of a
    /// BPF hash (~100 bytes each with its overhead) would be gigabytes of locked memory.
    public static let tableSizeRange = 64...16_777_216

    enum CodingKeys: String, CodingKey { case timeouts, tableSize = "table_size", sweep }
}

/// Per-protocol idle timeouts, in seconds. Each is one knob of the scenario and maps to the
/// nf_conntrack sysctls listed beside it; the BPF trackers apply the same value to the same states.
public struct ConntrackTimeouts: Hashable, Codable, Sendable {
    /// A TCP flow that has seen a SYN but no answer yet (tcp_timeout_syn_sent, _syn_recv).
    public var tcpSyn: Int
    /// An established TCP flow (tcp_timeout_established).
    public var tcpEstablished: Int
    /// A TCP flow after a FIN or RST (tcp_timeout_fin_wait, _close_wait, _last_ack, _time_wait, _close).
    public var tcpClose: Int
    /// A UDP flow, answered or not (udp_timeout, udp_timeout_stream).
    public var udp: Int
    /// An ICMP echo flow (icmp_timeout).
    public var icmp: Int

    public init(tcpSyn: Int, tcpEstablished: Int, tcpClose: Int, udp: Int, icmp: Int) {
        self.tcpSyn = tcpSyn
        self.tcpEstablished = tcpEstablished
        self.tcpClose = tcpClose
        self.udp = udp
        self.icmp = icmp
    }

    /// Linux's defaults (syn_sent 120 s, established 5 days, time_wait 120 s, udp 30 s, icmp 30 s).
    public static let kernelDefaults = ConntrackTimeouts(tcpSyn: 120, tcpEstablished: 432_000, tcpClose: 120, udp: 30, icmp: 30)

    /// Accepted values: at least one second (0 would expire an entry as it is made), at most 30 days
    /// (the kernel keeps timeouts in jiffies in a 32-bit field; longer ones only hide a typo).
    public static let range = 1...2_592_000

    /// Every timeout with its scenario key, in the order they are read and reported.
    public var named: [(key: String, seconds: Int)] {
        [("tcp_syn", tcpSyn), ("tcp_established", tcpEstablished), ("tcp_close", tcpClose), ("udp", udp), ("icmp", icmp)]
    }

    enum CodingKeys: String, CodingKey {
        case tcpSyn = "tcp_syn", tcpEstablished = "tcp_established", tcpClose = "tcp_close", udp, icmp
    }
}

/// How the swept BPF tracker's collector chooses when to sweep next.
public struct SweepSettings: Hashable, Codable, Sendable {
    public enum Mode: String, Hashable, Codable, Sendable, CaseIterable {
        /// Every `intervalMilliseconds`.
        case fixed
        /// Cilium's rule: start at `intervalMilliseconds`; after a sweep that deleted more than 25% of
        /// what it examined, the next interval is interval × (1 − share); below 5% it grows ×1.5;
        /// always within [floor, ceiling].
        case adaptive
    }
    public var mode: Mode
    public var intervalMilliseconds: Int
    public var floorMilliseconds: Int
    public var ceilingMilliseconds: Int

    public init(mode: Mode, intervalMilliseconds: Int, floorMilliseconds: Int, ceilingMilliseconds: Int) {
        self.mode = mode
        self.intervalMilliseconds = intervalMilliseconds
        self.floorMilliseconds = floorMilliseconds
        self.ceilingMilliseconds = ceilingMilliseconds
    }

    /// A lab-sized version of Cilium's (start 1 s here where Cilium starts at minutes: the lab's
    /// timeouts are seconds, not hours).
    public static let adaptiveDefault = SweepSettings(mode: .adaptive, intervalMilliseconds: 1000, floorMilliseconds: 100,
                                                      ceilingMilliseconds: 10_000)
    /// Accepted interval bounds: 10 ms to one hour.
    public static let range = 10...3_600_000

    enum CodingKeys: String, CodingKey {
        case mode, intervalMilliseconds = "interval_ms", floorMilliseconds = "floor_ms", ceilingMilliseconds = "ceiling_ms"
    }
}
