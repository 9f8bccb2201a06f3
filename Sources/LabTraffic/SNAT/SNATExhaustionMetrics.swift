import LabResults

/// What `snat-exhaustion` records: headline samples per repeat, and per-step curves (series, x = the
/// step's level, cumulative attempts as a multiple of the port range).
public enum SNATExhaustionMetrics {
    public static let failRatio = MetricInfo(name: "snat_fail_ratio", unit: "ratio", direction: .lowerIsBetter,
                                             summary: "share of the top step's new connections that failed (port range exhausted)")
    public static let modelFailRatio = MetricInfo(name: "snat_model_fail_ratio", unit: "ratio", direction: .neutral,
                                                  summary: "the model's expected failure share for the top step ((occupied/range)^128 per try)")
    public static let failed = MetricInfo(name: "connections_failed", unit: "count", direction: .lowerIsBetter,
                                          summary: "new connections of the whole ramp that failed")
    public static let held = MetricInfo(name: "connections_held", unit: "count", direction: .higherIsBetter,
                                        summary: "connections open at the end of the ramp")
    public static let connectP99 = MetricInfo(name: "connect_p99_ms", unit: "ms", direction: .lowerIsBetter,
                                              summary: "TCP connect time of the ramp's successful connections, 99th percentile")
    public static let allocationFailures = MetricInfo(name: "snat_alloc_failures", unit: "count", direction: .lowerIsBetter,
                                                      summary: "new flows the gateway's SNAT found no port for (BPF: after 128 tries; netfilter: nf_conntrack insert_failed)")
    public static let recovery = MetricInfo(name: "recovery_ms", unit: "ms", direction: .lowerIsBetter,
                                            summary: "from releasing every connection (RST) to the first new connection that opened")
    public static let recovered = MetricInfo(name: "recovered", unit: "ratio", direction: .higherIsBetter,
                                             summary: "1 when a new connection opened within recovery_timeout of the release, else 0")

    public static let all = [failRatio, modelFailRatio, failed, held, connectP99, allocationFailures, recovery, recovered]

    /// Series names (x = the step's level).
    public enum Curve {
        public static let occupancyBefore = "snat_occupancy_before"
        public static let occupancyAfter = "snat_occupancy_after"
        public static let attempted = "snat_attempted"
        public static let failed = "snat_failed"
        public static let failShare = "snat_fail_share"
        public static let modelShare = "snat_model_share"
        public static let modelFailProbability = "snat_model_pfail"
        public static let allocationFailures = "snat_alloc_failures"
        public static let retried = "snat_retried"
        /// The tries within which 90% of the step's allocations succeeded (the upper end of the
        /// retry-histogram bucket that reaches 90%): how hard the allocator had to search.
        public static let triesP90 = "snat_tries_p90"
        public static let all = [occupancyBefore, occupancyAfter, attempted, failed, failShare, modelShare, modelFailProbability,
                                 allocationFailures, retried, triesP90]
    }
}
