import Foundation
import LabResults
import LabStats

/// The A/B gate's judgement, pure: given the base's and the candidate's rounds (round k of each
/// measured back to back on the same machine), compare each measurement by its per-round log ratios.
/// A gated measurement is a regression only when its geometric-mean change is beyond the threshold
/// in the harmful direction AND its exact sign-flip p-value survives Benjamini–Hochberg over every
/// gated measurement. Everything else is shown.
public struct PairedComparison: Sendable {
    /// Tolerated relative change, as a fraction (0.05).
    public var threshold: Double
    /// False discovery rate, as a fraction (0.05).
    public var fdr: Double

    public init(threshold: Double, fdr: Double) {
        self.threshold = threshold
        self.fdr = fdr
    }

    /// Every measurement both sides have in at least one common round, what needs attention first.
    public func judge(base: [[MeasurementKey: Double]], candidate: [[MeasurementKey: Double]],
                      workloadKinds: [String: String]) -> [PairedChange] {
        let rounds = min(base.count, candidate.count)
        let keys = Set(base.prefix(rounds).flatMap(\.keys)).intersection(candidate.prefix(rounds).flatMap(\.keys))
        var changes: [PairedChange] = keys.sorted().compactMap { key in
            let ratios = (0..<rounds).compactMap { PairedComparison.ratio(base[$0][key], candidate[$0][key]) }
            guard !ratios.isEmpty else { return nil }
            let info = MetricCatalog.info(key.metric)
            let gated = GatedMetrics.isGated(workload: key.workload, kind: workloadKinds[key.workload], metric: key.metric)
            return PairedChange(key: key, direction: info.direction, gated: gated, roundRatios: ratios)
        }
        decide(&changes)
        return changes.enumerated().sorted { ($0.element.status.rank, $0.offset) < ($1.element.status.rank, $1.offset) }.map(\.element)
    }

    /// candidate / base of one round; nil when a side lacks it or only one side is zero (no log ratio).
    static func ratio(_ base: Double?, _ candidate: Double?) -> Double? {
        guard let base, let candidate, base >= 0, candidate >= 0 else { return nil }
        if base == 0 && candidate == 0 { return 1 }
        guard base > 0, candidate > 0 else { return nil }
        return candidate / base
    }

    /// Tests every gated measurement, corrects over the family, and sets each status.
    func decide(_ changes: inout [PairedChange]) {
        let gated = changes.indices.filter { changes[$0].gated }
        let harm = gated.map { SignFlipTest.pValueGreater(changes[$0].harmfulLogs) ?? 1 }
        let gain = gated.map { SignFlipTest.pValueLess(changes[$0].harmfulLogs) ?? 1 }
        let harmAdjusted = FalseDiscoveryRate.adjusted(harm)
        let gainAdjusted = FalseDiscoveryRate.adjusted(gain)
        for (position, index) in gated.enumerated() {
            changes[index].pHarm = harm[position]
            changes[index].pHarmAdjusted = harmAdjusted[position]
            changes[index].pGainAdjusted = gainAdjusted[position]
            let change = changes[index]
            guard abs(change.change) > threshold else { continue }
            if change.isHarmful {
                changes[index].status = harmAdjusted[position] <= fdr ? .regression : .withinNoise
            } else {
                changes[index].status = gainAdjusted[position] <= fdr ? .improvement : .withinNoise
            }
        }
    }
}
