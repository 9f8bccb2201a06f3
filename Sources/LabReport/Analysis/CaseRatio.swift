import LabResults
import LabStats

/// Which comparison a ratio is: against the no-filter baseline, or eBPF against netfilter.
public enum RatioKind: String, Codable, Sendable {
    /// backend / none at the same parameter point: the cost of filtering at all.
    case toNone = "to-none"
    /// eBPF backend / netfilter backend at the same point: what moving to eBPF buys.
    case ebpfOverNetfilter = "ebpf-over-netfilter"
}

/// Identifies a ratio across runs of the same scenario: `compare` matches on this.
public struct RatioKey: Hashable, Comparable, Codable, Sendable {
    /// Case id of the numerator, e.g. "tc[rules=100]".
    public let subject: String
    /// Case id of the denominator, e.g. "none[rules=100]".
    public let reference: String
    public let workload: String
    public let metric: String

    public init(subject: String, reference: String, workload: String, metric: String) {
        self.subject = subject
        self.reference = reference
        self.workload = workload
        self.metric = metric
    }

    /// "tc[rules=100] / none[rules=100]".
    public var pair: String { "\(subject) / \(reference)" }

    public static func < (a: RatioKey, b: RatioKey) -> Bool {
        (a.subject, a.reference, a.workload, a.metric) < (b.subject, b.reference, b.workload, b.metric)
    }
}

/// median(subject) / median(reference) for one metric, with the bootstrap interval of that ratio.
/// Ratios are what travel between machines: absolute numbers depend on the CPU, ratios within one run
/// much less (DESIGN.md, "Statistics and CI").
public struct CaseRatio: Sendable, Equatable {
    public let kind: RatioKind
    public let key: RatioKey
    public let subjectBackend: String
    public let referenceBackend: String
    public let parameters: [String: String]
    public let value: Double
    public let interval: ConfidenceInterval?
    /// The smaller sample count of the two sides.
    public let count: Int

    public var metricInfo: MetricInfo { MetricCatalog.info(key.metric) }
}
