import LabResults
import LabStats

/// The verdict on one ratio between baseline and current.
public enum ChangeStatus: String, Codable, Sendable, CaseIterable {
    /// Worse by more than the threshold, and the two intervals do not overlap.
    case regression
    /// Better by more than the threshold, and the two intervals do not overlap.
    case improvement
    /// Beyond the threshold, but the intervals overlap: not distinguishable from noise.
    case withinNoise = "within-noise"
    case withinThreshold = "within-threshold"
    /// Beyond the threshold, but a side has no interval (fewer than 3 samples, or a denominator that
    /// resamples to zero), so noise cannot be ruled out.
    case noInterval = "no-interval"

    /// Table order: what needs attention first.
    var rank: Int { ChangeStatus.allCases.firstIndex(of: self)! }
}

/// A ratio as one run measured it.
public struct RatioEstimate: Codable, Sendable, Equatable {
    public let value: Double
    public let interval: ConfidenceInterval?
    public let n: Int

    init(_ ratio: CaseRatio) {
        value = ratio.value
        interval = ratio.interval
        n = ratio.count
    }
}

/// One ratio compared between two runs.
public struct RatioChange: Codable, Sendable, Equatable {
    public let kind: RatioKind
    public let key: RatioKey
    public let direction: Direction
    public let baseline: RatioEstimate
    public let current: RatioEstimate
    /// current / baseline − 1.
    public let change: Double
    public let status: ChangeStatus

    init(baseline: CaseRatio, current: CaseRatio, threshold: Double) {
        kind = current.kind
        key = current.key
        direction = current.metricInfo.direction
        self.baseline = RatioEstimate(baseline)
        self.current = RatioEstimate(current)
        change = RatioChange.relativeChange(from: baseline.value, to: current.value)
        status = RatioChange.judge(change: change, direction: direction, threshold: threshold,
                                   baseline: baseline.interval, current: current.interval)
    }

    static func relativeChange(from old: Double, to new: Double) -> Double {
        if old == 0 { return new == 0 ? 0 : (new > 0 ? .infinity : -.infinity) }
        return new / old - 1
    }

    /// Threshold first (a small change is fine however sure we are), then noise: a change counts only
    /// when the two 95% intervals are disjoint (DESIGN.md: gate only when the CI clears the threshold).
    static func judge(change: Double, direction: Direction, threshold: Double,
                      baseline: ConfidenceInterval?, current: ConfidenceInterval?) -> ChangeStatus {
        guard abs(change) > threshold else { return .withinThreshold }
        guard let baseline, let current else { return .noInterval }
        guard !baseline.overlaps(current) else { return .withinNoise }
        let worse = direction == .higherIsBetter ? change < 0 : change > 0
        return worse ? .regression : .improvement
    }
}
