import LabSystem
import LabResults
import LabStats

/// A metric as measured by one workload: results are keyed by both, since two workloads may record
/// the same metric (tcp-throughput and udp-throughput both give throughput_gbps).
public struct MetricID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let workload: String
    public let metric: String

    public init(workload: String, metric: String) {
        self.workload = workload
        self.metric = metric
    }

    public var info: MetricInfo { MetricCatalog.info(metric) }
    public var description: String { "\(workload)/\(metric)" }

    public static func < (a: MetricID, b: MetricID) -> Bool {
        (a.workload, a.metric) < (b.workload, b.metric)
    }
}

/// What the report says about one metric of one case: the samples, their summary, and the interval.
public struct MetricStatistics: Sendable {
    /// The counted samples, in recorded order (kept for the ratio bootstrap).
    public let values: [Double]
    public let summary: Summary
    /// 95% bootstrap interval of the median; nil when n < `Bootstrap.minimumSampleCount`.
    public let interval: ConfidenceInterval?

    /// CV above 10% (DESIGN.md), except that an event count is only noisy when it varies more than
    /// counting alone would: a Poisson count with mean m has CV 1/√m, so retransmits of 1, 2, 2 (CV 35%)
    /// are expected, while 0, 0, 50 are not.
    public let isNoisy: Bool

    public var count: Int { values.count }
    public var median: Double { summary.median }

    /// nil for no samples. The seed is derived from case and metric, so each has its own stream.
    init?(values: [Double], metric: MetricID, caseId: String) {
        guard let summary = Summary(values) else { return nil }
        self.values = values
        self.summary = summary
        interval = StatisticsPolicy.bootstrap(label: "\(caseId)|\(metric.workload)|\(metric.metric)").medianInterval(values)
        if metric.info.isEventCount, summary.mean > 0, let cv = summary.coefficientOfVariation {
            isNoisy = cv > max(Summary.noisyThreshold, 1 / summary.mean.squareRoot())
        } else {
            isNoisy = summary.isNoisy
        }
    }
}

/// The one place that fixes how reports estimate intervals, so report, CSV and compare agree.
public enum StatisticsPolicy {
    public static let level = 0.95
    public static let resamples = 2000
    /// Arbitrary but fixed: changing it changes every interval in every golden file.
    public static let baseSeed: UInt64 = 0x6265_6E63_686C_6162 // "benchlab"

    static func bootstrap(label: String) -> Bootstrap {
        Bootstrap(seed: SplitMix64.seed(for: label, base: baseSeed), resamples: resamples, level: level)
    }
}
