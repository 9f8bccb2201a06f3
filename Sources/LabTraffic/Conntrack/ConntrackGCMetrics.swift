import LabResults

/// What the `conntrack-gc` workload records, phase by phase (issue 8). Durations of GC lag are in
/// milliseconds, the rest in seconds, counts or entries, as their units say.
public enum ConntrackGCMetrics {
    // fill
    public static let fillFlows = MetricInfo(name: "ct_fill_flows", unit: "flows", direction: .neutral,
                                             summary: "flows sent by the fill phase (one UDP datagram each)")
    public static let fillSeconds = MetricInfo(name: "ct_fill_s", unit: "s", direction: .lowerIsBetter,
                                               summary: "time the fill phase took to send its flows")
    public static let fillRate = MetricInfo(name: "ct_fill_rate", unit: "flows/s", direction: .higherIsBetter,
                                            summary: "new flows per second the fill phase sent")
    public static let fillEntries = MetricInfo(name: "ct_fill_entries", unit: "entries", direction: .neutral,
                                               summary: "entries the fill added to the table (seen just after it)")
    // expire
    public static let lagP50 = MetricInfo(name: "ct_gc_lag_p50_ms", unit: "ms", direction: .lowerIsBetter,
                                          summary: "GC lag (entry gone − entry expired), median over the fill's flows")
    public static let lagP99 = MetricInfo(name: "ct_gc_lag_p99_ms", unit: "ms", direction: .lowerIsBetter,
                                          summary: "GC lag, 99th percentile")
    public static let lagMax = MetricInfo(name: "ct_gc_lag_max_ms", unit: "ms", direction: .lowerIsBetter,
                                          summary: "GC lag, largest")
    public static let lagUnseen = MetricInfo(name: "ct_gc_unseen", unit: "flows", direction: .lowerIsBetter,
                                             summary: "fill flows whose entry was never seen to go (still there, or deleted unseen)")
    public static let timeToEmpty = MetricInfo(name: "ct_time_to_empty_s", unit: "s", direction: .lowerIsBetter,
                                               summary: "from the last fill flow's expiry to the table back at its size before the fill")
    public static let reclaimRate = MetricInfo(name: "ct_reclaim_rate", unit: "entries/s", direction: .higherIsBetter,
                                               summary: "entries reclaimed per second while the table emptied")
    public static let entriesLeft = MetricInfo(name: "ct_entries_left", unit: "entries", direction: .lowerIsBetter,
                                               summary: "fill entries still in the table when the expire phase ended")
    public static let gcCPU = MetricInfo(name: "ct_gc_cpu_ms", unit: "ms", direction: .lowerIsBetter,
                                         summary: "CPU the lab's own collector spent sweeping during the expire phase")
    public static let sweeps = MetricInfo(name: "ct_gc_sweeps", unit: "sweeps", direction: .neutral,
                                          summary: "sweeps the lab's collector made during the expire phase")
    public static let sweepMs = MetricInfo(name: "ct_gc_sweep_ms", unit: "ms", direction: .lowerIsBetter,
                                           summary: "mean duration of one sweep")
    // churn race
    public static let churnAttempted = MetricInfo(name: "ct_churn_attempted", unit: "connections", direction: .neutral,
                                                  summary: "short TCP connections the churn phase opened")
    public static let churnRate = MetricInfo(name: "ct_churn_rate", unit: "connections/s", direction: .higherIsBetter,
                                             summary: "short connections per second achieved")
    public static let churnBroken = MetricInfo(name: "ct_churn_broken", unit: "connections", direction: .lowerIsBetter,
                                               summary: "short connections that failed while the table was being swept")
    public static let churnBrokenPerMillion = MetricInfo(name: "ct_churn_broken_ppm", unit: "per million", direction: .lowerIsBetter,
                                                         summary: "churn connections broken per million attempted")
    public static let churnEstablishedBroken = MetricInfo(name: "ct_churn_established_broken", unit: "flows", direction: .lowerIsBetter,
                                                          summary: "long-lived flows broken during the churn phase")
    // table full
    public static let fullStartEntries = MetricInfo(name: "ct_full_start_entries", unit: "entries", direction: .neutral,
                                                    summary: "entries in the table when the table-full phase began (after waiting for it to drain)")
    public static let fullLimit = MetricInfo(name: "ct_full_limit", unit: "entries", direction: .neutral,
                                             summary: "table size during the table-full phase")
    public static let fullRefused = MetricInfo(name: "ct_full_refused", unit: "connections", direction: .lowerIsBetter,
                                               summary: "new TCP connections that failed during the flood")
    public static let fullEstablishedBroken = MetricInfo(name: "ct_full_established_broken", unit: "flows", direction: .lowerIsBetter,
                                                         summary: "long-lived flows broken during the flood")
    public static let fullDrops = MetricInfo(name: "ct_full_drops", unit: "packets", direction: .neutral,
                                             summary: "packets the tracker dropped for want of room (nf drop + insert_failed, BPF refused_full)")
    public static let fullEarlyDrops = MetricInfo(name: "ct_full_early_drops", unit: "entries", direction: .neutral,
                                                  summary: "entries nf_conntrack dropped early to make room")
    public static let fullRecovery = MetricInfo(name: "ct_full_recovery_s", unit: "s", direction: .lowerIsBetter,
                                                summary: "from the flood's end to the first new connection that succeeds again")
    public static let hostBefore = MetricInfo(name: "ct_host_entries_before", unit: "entries", direction: .neutral,
                                              summary: "the root namespace's own conntrack entries before the table-full phase")
    public static let hostAfter = MetricInfo(name: "ct_host_entries_after", unit: "entries", direction: .neutral,
                                             summary: "the root namespace's own conntrack entries after it")

    public static let all = [fillFlows, fillSeconds, fillRate, fillEntries,
                             lagP50, lagP99, lagMax, lagUnseen, timeToEmpty, reclaimRate, entriesLeft, gcCPU, sweeps, sweepMs,
                             churnAttempted, churnRate, churnBroken, churnBrokenPerMillion, churnEstablishedBroken,
                             fullStartEntries, fullLimit, fullRefused, fullEstablishedBroken, fullDrops, fullEarlyDrops, fullRecovery,
                             hostBefore, hostAfter]
}
