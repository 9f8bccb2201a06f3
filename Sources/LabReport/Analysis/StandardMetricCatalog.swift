import LabCollectors
import LabResults
import LabTraffic

/// The catalog the report and `compare` read units, directions and summaries from: every producer's
/// declared metrics, workloads first, then collectors, then the policy's own.
extension MetricCatalog {
    public static let standard = MetricCatalog(assembling: WorkloadRegistry.metricGroups + CollectorRegistry.metricGroups
                                               + [PolicyMetrics.all])

    public static var all: [MetricInfo] { standard.entries }

    public static func info(_ name: String) -> MetricInfo { standard.metric(named: name) }
}
