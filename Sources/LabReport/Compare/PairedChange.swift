import Foundation
import LabResults

/// The verdict on one measurement, candidate against base, in A/B mode.
public enum PairedStatus: String, Codable, Sendable, CaseIterable {
    /// Gated, worse beyond the threshold, and significant after the false-discovery correction.
    case regression
    /// Gated, better beyond the threshold, and significant after the correction.
    case improvement
    /// Gated and beyond the threshold, but not significant: the rounds disagree too much to tell.
    case withinNoise = "within-noise"
    case withinThreshold = "within-threshold"
    /// Not a primary metric (a duplicate, a count, a secondary percentile): shown, never gated.
    case notGated = "not-gated"

    /// Table order: what needs attention first.
    var rank: Int { PairedStatus.allCases.firstIndex(of: self)! }
}

/// One measurement compared round by round: candidate / base in each round, summarised as a
/// geometric mean (the mean of the per-round log ratios), so a round that doubled and one that
/// halved cancel out, as they should.
public struct PairedChange: Codable, Sendable, Equatable {
    public let key: MeasurementKey
    public let direction: Direction
    public let gated: Bool
    /// candidate / base of each round both sides measured, in round order.
    public let roundRatios: [Double]
    /// exp(mean log ratio) − 1: +0.10 means the candidate measured 10% more.
    public let change: Double
    /// One-sided exact sign-flip p-value in the harmful direction (nil when not gated or no rounds).
    public var pHarm: Double?
    /// `pHarm` adjusted by Benjamini–Hochberg over every gated measurement.
    public var pHarmAdjusted: Double?
    /// The same for the favourable direction, so an improvement is called with the same care.
    public var pGainAdjusted: Double?
    public var status: PairedStatus

    init(key: MeasurementKey, direction: Direction, gated: Bool, roundRatios: [Double]) {
        self.key = key
        self.direction = direction
        self.gated = gated && direction != .neutral
        self.roundRatios = roundRatios
        let logs = roundRatios.map { Foundation.log($0) }
        change = logs.isEmpty ? 0 : Foundation.exp(logs.reduce(0, +) / Double(logs.count)) - 1
        status = self.gated ? .withinThreshold : .notGated
    }

    /// The per-round differences with the harmful direction positive.
    var harmfulLogs: [Double] {
        let logs = roundRatios.map { Foundation.log($0) }
        return direction == .higherIsBetter ? logs.map { -$0 } : logs
    }

    var isHarmful: Bool { direction == .higherIsBetter ? change < 0 : change > 0 }
}
