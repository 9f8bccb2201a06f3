import LabResults

/// Every collector opened around a workload's traffic, one line each, in the order they open and
/// close: /proc/stat is read before the interface counters at both ends, so the `ip` calls that
/// read counters fall inside the CPU window at its start and outside it at its end, as they always have.
public enum CollectorRegistry {
    public static var all: [any WorkloadCollector.Type] {
        [
            CPUCollector.self,
            StealCollector.self,
            InterfaceCollector.self,
            CPUBusySeriesCollector.self,
            ConntrackCollector.self,
        ]
    }

    /// Each collector's metrics plus the derived one, which reports have always shown right after
    /// the busy ratio (the catalog slots a metric after the one it follows in its group).
    public static var metricGroups: [[MetricInfo]] {
        all.map { $0.metrics } + [[CPUCollector.busyRatio, CPUPerPacket.nsPerPacket]]
    }

    /// Collector metrics the A/B gate tests, by the workload kind they are gated under: CPU time per
    /// packet is the cost a filter adds even when the packet rate holds. Under TCP throughput (a few
    /// large GSO packets) and latency (a few thousand packets) it is noise over a small count, and the
    /// rest are counters: shown, not gated. Keyed by kind name: collectors cannot see LabTraffic.
    public static var primaryMetrics: [String: [MetricInfo]] { ["packet-rate": [CPUPerPacket.nsPerPacket]] }
}
