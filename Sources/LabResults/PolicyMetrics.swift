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

    /// The stateful BPF filter beside the stateless one on the same packet (issue 8's target:
    /// established ≤ 1.5× stateless), and a new flow's first packet beside the stateless filter timed
    /// the same way (one packet per run, so both carry the test loop's fixed cost).
    public static let ctEstablished = MetricInfo(name: "ns_per_pkt_ct_established", unit: "ns", direction: .lowerIsBetter,
                                                 summary: "BPF_PROG_TEST_RUN time, packet of an established tracked flow")
    public static let ctStateless = MetricInfo(name: "ns_per_pkt_ct_stateless", unit: "ns", direction: .lowerIsBetter,
                                               summary: "BPF_PROG_TEST_RUN time, the same packet through the stateless filter")
    public static let ctNew = MetricInfo(name: "ns_per_pkt_ct_new", unit: "ns", direction: .lowerIsBetter,
                                         summary: "BPF_PROG_TEST_RUN time, first packet of a new tracked flow (one per run)")
    public static let ctStatelessSingle = MetricInfo(name: "ns_per_pkt_ct_stateless_single", unit: "ns", direction: .lowerIsBetter,
                                                     summary: "BPF_PROG_TEST_RUN time, that packet through the stateless filter (one per run)")

    /// The BPF SNAT (tc-snat): a packet of an established flow at egress and its reply at ingress, one
    /// packet per run (a rewritten packet cannot be run again: the test loop reuses its skb), beside
    /// the null program timed the same way (the loop's fixed cost).
    public static let snatEstablished = MetricInfo(name: "ns_per_pkt_snat_established", unit: "ns", direction: .lowerIsBetter,
                                                   summary: "BPF_PROG_TEST_RUN time, SNAT egress of an established flow's packet (one per run)")
    public static let snatReverse = MetricInfo(name: "ns_per_pkt_snat_reverse", unit: "ns", direction: .lowerIsBetter,
                                               summary: "BPF_PROG_TEST_RUN time, SNAT ingress of that flow's reply (one per run)")
    public static let snatFloor = MetricInfo(name: "ns_per_pkt_snat_floor", unit: "ns", direction: .lowerIsBetter,
                                             summary: "BPF_PROG_TEST_RUN time, the null tc program timed the same way (one per run)")

    public static let all = [installMs, installedEntries, updateMs, bpfNsPerRun, nsPerPacketMatch, nsPerPacketNoMatch,
                             ctEstablished, ctStateless, ctNew, ctStatelessSingle, snatEstablished, snatReverse, snatFloor]
    /// What the A/B gate tests for the policy: the time to install it and to change it. The BPF test-run
    /// timings are microbenchmarks the packet-rate workload measures end to end; they are shown.
    public static let primary = [installMs, updateMs]
}
