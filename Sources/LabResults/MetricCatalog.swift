/// Which way is better for a metric, so reports and `compare` know a regression from an improvement.
public enum Direction: String, Codable, Sendable {
    case higherIsBetter = "higher"
    case lowerIsBetter = "lower"
    /// Informational (counters, sizes): never gated.
    case neutral
}

public struct MetricInfo: Sendable, Equatable {
    public let name: String
    public let unit: String
    public let direction: Direction
    public let summary: String
}

/// Every metric benchlab records, with its unit and direction. Names carry their unit (DESIGN.md,
/// "Measurements"); a metric missing here is reported as neutral with its name as unit-less.
public enum MetricCatalog {
    public static let all: [MetricInfo] = [
        MetricInfo(name: "throughput_gbps", unit: "Gbit/s", direction: .higherIsBetter, summary: "goodput received"),
        // A count of rare events: a ratio of two near-zero counts swings by multiples between identical
        // builds, so it is shown, not gated (its cost shows up in throughput_gbps).
        MetricInfo(name: "retransmits", unit: "segments", direction: .neutral, summary: "TCP retransmitted segments"),
        MetricInfo(name: "pps", unit: "packets/s", direction: .higherIsBetter, summary: "packets received per second"),
        MetricInfo(name: "pps_sent", unit: "packets/s", direction: .neutral, summary: "packets offered per second by the generator"),
        MetricInfo(name: "pps_dropped", unit: "packets/s", direction: .neutral, summary: "packets dropped per second at the filter"),
        MetricInfo(name: "pps_handled", unit: "packets/s", direction: .higherIsBetter,
                   summary: "packets per second the filter delivered or dropped (pps + pps_dropped)"),
        MetricInfo(name: "loss_ratio", unit: "ratio", direction: .lowerIsBetter, summary: "datagrams lost / datagrams the filter should let through"),
        MetricInfo(name: "sink_drops", unit: "packets", direction: .neutral,
                   summary: "datagrams the packet-rate sink's socket dropped for want of buffer (sink, not filter)"),
        MetricInfo(name: "latency_p50_us", unit: "µs", direction: .lowerIsBetter, summary: "request/response round trip, median"),
        MetricInfo(name: "latency_p90_us", unit: "µs", direction: .lowerIsBetter, summary: "round trip, 90th percentile"),
        MetricInfo(name: "latency_p99_us", unit: "µs", direction: .lowerIsBetter, summary: "round trip, 99th percentile"),
        MetricInfo(name: "latency_p999_us", unit: "µs", direction: .lowerIsBetter, summary: "round trip, 99.9th percentile"),
        MetricInfo(name: "latency_mean_us", unit: "µs", direction: .lowerIsBetter, summary: "round trip, mean"),
        MetricInfo(name: "transactions", unit: "count", direction: .neutral, summary: "round trips completed"),
        MetricInfo(name: "timeouts", unit: "count", direction: .lowerIsBetter, summary: "requests without an answer in time"),
        MetricInfo(name: "connect_p50_us", unit: "µs", direction: .lowerIsBetter, summary: "TCP handshake time, median"),
        MetricInfo(name: "connect_p90_us", unit: "µs", direction: .lowerIsBetter, summary: "TCP handshake time, 90th percentile"),
        MetricInfo(name: "connect_p99_us", unit: "µs", direction: .lowerIsBetter, summary: "TCP handshake time, 99th percentile"),
        MetricInfo(name: "connect_p999_us", unit: "µs", direction: .lowerIsBetter, summary: "TCP handshake time, 99.9th percentile"),
        MetricInfo(name: "cps", unit: "connections/s", direction: .higherIsBetter, summary: "new TCP connections per second"),
        MetricInfo(name: "connect_failures", unit: "count", direction: .lowerIsBetter, summary: "connects refused or timed out"),
        MetricInfo(name: "cpu_softirq_ms", unit: "ms", direction: .neutral, summary: "softirq CPU time, all CPUs"),
        MetricInfo(name: "cpu_system_ms", unit: "ms", direction: .neutral, summary: "system CPU time, all CPUs"),
        MetricInfo(name: "cpu_user_ms", unit: "ms", direction: .neutral, summary: "user CPU time, all CPUs"),
        MetricInfo(name: "cpu_busy_ratio", unit: "ratio", direction: .neutral, summary: "non-idle CPU time / wall time × CPUs"),
        MetricInfo(name: "cpu_ns_per_pkt", unit: "ns", direction: .lowerIsBetter, summary: "(softirq + system) CPU per packet sent by the client"),
        MetricInfo(name: "rx_packets", unit: "packets", direction: .neutral, summary: "packets received by the server interface"),
        MetricInfo(name: "rx_bytes", unit: "bytes", direction: .neutral, summary: "bytes received by the server interface"),
        MetricInfo(name: "rx_dropped", unit: "packets", direction: .neutral, summary: "receive drops on the server interface"),
        MetricInfo(name: "tx_packets", unit: "packets", direction: .neutral, summary: "packets sent by the client interface"),
        MetricInfo(name: "install_ms", unit: "ms", direction: .lowerIsBetter, summary: "time to install the whole policy"),
        MetricInfo(name: "installed_entries", unit: "entries", direction: .neutral, summary: "rules, set elements (after merging) or map entries the kernel holds for the policy"),
        MetricInfo(name: "update_ms", unit: "ms", direction: .lowerIsBetter, summary: "time to add one rule to the installed policy"),
        MetricInfo(name: "bpf_ns_per_run", unit: "ns", direction: .lowerIsBetter, summary: "BPF program run time per invocation"),
        MetricInfo(name: "ns_per_pkt_match", unit: "ns", direction: .lowerIsBetter, summary: "BPF_PROG_TEST_RUN time, packet matching a rule"),
        MetricInfo(name: "ns_per_pkt_nomatch", unit: "ns", direction: .lowerIsBetter, summary: "BPF_PROG_TEST_RUN time, packet matching no rule"),
        MetricInfo(name: "ct_entries", unit: "entries", direction: .neutral, summary: "conntrack entries"),
        MetricInfo(name: "ct_gc_lag_ms", unit: "ms", direction: .lowerIsBetter, summary: "destroy event time minus expiry time"),
        MetricInfo(name: "ct_drops", unit: "count", direction: .lowerIsBetter, summary: "conntrack drops"),
        MetricInfo(name: "early_drop", unit: "count", direction: .lowerIsBetter, summary: "conntrack early drops"),
        MetricInfo(name: "insert_failed", unit: "count", direction: .lowerIsBetter, summary: "conntrack insert failures"),
        MetricInfo(name: "established_broken", unit: "count", direction: .lowerIsBetter, summary: "flows cut by eviction"),
        MetricInfo(name: "snat_fail_ratio", unit: "ratio", direction: .lowerIsBetter, summary: "SNAT allocations that failed"),
    ]

    private static let byName: [String: MetricInfo] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    public static func info(_ name: String) -> MetricInfo {
        byName[name] ?? MetricInfo(name: name, unit: "", direction: .neutral, summary: name)
    }
}
