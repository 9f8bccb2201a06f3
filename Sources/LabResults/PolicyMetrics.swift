/// Metrics of the policy itself rather than of a workload (recorded under the workload "policy"):
/// produced by the runner and the backends, declared here because both sides can see LabResults.
public enum PolicyMetrics {
    public static let installMs = MetricInfo(name: "install_ms", unit: "ms", direction: .lowerIsBetter,
                                             summary: "time to install the whole policy")
    public static let installedEntries = MetricInfo(
        name: "installed_entries", unit: "entries", direction: .neutral,
        summary: "rules, set elements (after merging) or map entries the kernel holds for the policy")
    public static let updateMs = MetricInfo(name: "update_ms", unit: "ms", direction: .lowerIsBetter,
                                            summary: "time to add one rule to the installed policy")
    public static let bpfNsPerRun = MetricInfo(name: "bpf_ns_per_run", unit: "ns", direction: .lowerIsBetter,
                                               summary: "BPF program run time per invocation")
    public static let nsPerPacketMatch = MetricInfo(name: "ns_per_pkt_match", unit: "ns", direction: .lowerIsBetter,
                                                    summary: "BPF_PROG_TEST_RUN time, packet matching a rule")
    public static let nsPerPacketNoMatch = MetricInfo(name: "ns_per_pkt_nomatch", unit: "ns", direction: .lowerIsBetter,
                                                      summary: "BPF_PROG_TEST_RUN time, packet matching no rule")

    public static let all = [installMs, installedEntries, updateMs, bpfNsPerRun, nsPerPacketMatch, nsPerPacketNoMatch]
    /// What the A/B gate tests for the policy: the time to install it and to change it. The BPF test-run
    /// timings are microbenchmarks the packet-rate workload measures end to end; they are shown.
    public static let primary = [installMs, updateMs]
}

/// Conntrack metrics the stateful scenarios record (issue 7); declared ahead of their producer so
/// reports already know their units and directions.
public enum ConntrackMetrics {
    public static let all = [
        MetricInfo(name: "ct_entries", unit: "entries", direction: .neutral, summary: "conntrack entries"),
        MetricInfo(name: "ct_gc_lag_ms", unit: "ms", direction: .lowerIsBetter, summary: "destroy event time minus expiry time"),
        MetricInfo(name: "ct_drops", unit: "count", direction: .lowerIsBetter, summary: "conntrack drops"),
        MetricInfo(name: "early_drop", unit: "count", direction: .lowerIsBetter, summary: "conntrack early drops"),
        MetricInfo(name: "insert_failed", unit: "count", direction: .lowerIsBetter, summary: "conntrack insert failures"),
        MetricInfo(name: "established_broken", unit: "count", direction: .lowerIsBetter, summary: "flows cut by eviction"),
        MetricInfo(name: "snat_fail_ratio", unit: "ratio", direction: .lowerIsBetter, summary: "SNAT allocations that failed"),
    ]
}
