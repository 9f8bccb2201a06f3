import LabConntrack
import LabPolicy
import LabResults

/// Turns the ramp agent's report and the translators' per-step counters into the workload's samples
/// and series, beside the model's numbers for the same steps (pure: unit-tested without a kernel).
public enum SNATExhaustionShaping {
    /// The model's tries: Cilium's and the lab's BPF NAT's.
    public static let modelTries = PortExhaustionModel.ciliumTries

    /// The model's P(fail) for one connection at `occupancy` (a share of the range), for charts.
    public static func modelFailureProbability(occupancy: Double) -> Double {
        PortExhaustionModel.failureProbability(occupied: Int((occupancy * 1_000_000).rounded()), range: 1_000_000, tries: modelTries)
    }

    /// `translated`: per step, the change of the translators' counters over it (summed across
    /// gateways); nil entries (or none at all) where the case has no translator.
    public static func measurement(plan: SNATRampPlan, report: SNATRampReport, translated: [SNATStatistics?],
                                   workload: String) -> WorkloadMeasurement {
        typealias M = SNATExhaustionMetrics
        let range = Double(plan.range)
        let steps = Array(report.steps.prefix(plan.stepCount))
        let x = Array(plan.levels.prefix(steps.count))
        func curve(_ name: String, _ y: [Double], label: String) -> Series {
            Series(workload: workload, name: name, xLabel: "attempted / port range", yLabel: label, x: x, y: y)
        }
        let modelShares = steps.map {
            PortExhaustionModel.expectedFailureShare(attempts: $0.attempted, range: plan.range, tries: modelTries,
                                                     initiallyOccupied: $0.liveBefore)
        }
        var series = [
            curve(M.Curve.occupancyBefore, steps.map { Double($0.liveBefore) / range }, label: "live connections / port range"),
            curve(M.Curve.occupancyAfter, steps.map { Double($0.liveAfter) / range }, label: "live connections / port range"),
            curve(M.Curve.attempted, steps.map { Double($0.attempted) }, label: "connections attempted"),
            curve(M.Curve.failed, steps.map { Double($0.failed.total) }, label: "connections failed"),
            curve(M.Curve.failShare, steps.map { share($0.failed.total, of: $0.attempted) }, label: "failed / attempted"),
            curve(M.Curve.modelShare, modelShares, label: "expected failed / attempted"),
            curve(M.Curve.modelFailProbability,
                  steps.map { PortExhaustionModel.failureProbability(occupied: $0.liveBefore, range: plan.range, tries: modelTries) },
                  label: "P(fail) at the step's start"),
        ]
        let counted = translated.prefix(steps.count)
        let haveTranslator = counted.count == steps.count && counted.allSatisfy { $0 != nil }
        if haveTranslator {
            let stats = counted.map { $0! }
            series.append(curve(M.Curve.allocationFailures, stats.map { Double($0.allocationFailures) }, label: "allocation failures"))
            if stats.allSatisfy({ $0.retries != nil }) {
                series.append(curve(M.Curve.retried, stats.map { Double(retried($0.retries!)) }, label: "allocations that retried"))
                series.append(curve(M.Curve.triesP90, stats.map { Double(triesWithin($0.retries!, share: 0.9) ?? 0) },
                                    label: "tries within which 90% of allocations succeeded"))
            }
        }
        var samples: [Sample] = []
        if let top = steps.last {
            samples.append(Sample(workload: workload, metric: M.failRatio, value: share(top.failed.total, of: top.attempted)))
            samples.append(Sample(workload: workload, metric: M.modelFailRatio, value: modelShares.last!))
            samples.append(Sample(workload: workload, metric: M.held, value: Double(top.liveAfter)))
        }
        samples.append(Sample(workload: workload, metric: M.failed, value: Double(steps.reduce(0) { $0 + $1.failed.total })))
        if let p99 = report.connectP99Milliseconds { samples.append(Sample(workload: workload, metric: M.connectP99, value: p99)) }
        if haveTranslator {
            let total = counted.reduce(UInt64(0)) { $0 + $1!.allocationFailures }
            samples.append(Sample(workload: workload, metric: M.allocationFailures, value: Double(total)))
        }
        if let recovery = report.recoveryMilliseconds { samples.append(Sample(workload: workload, metric: M.recovery, value: recovery)) }
        samples.append(Sample(workload: workload, metric: M.recovered, value: report.recoveryMilliseconds == nil ? 0 : 1))
        return WorkloadMeasurement(samples: samples, series: series)
    }

    /// Allocations that needed at least one try past the first (bucket lower bound ≥ 1).
    static func retried(_ histogram: RetryHistogram) -> UInt64 {
        zip(histogram.lowerBounds, histogram.counts).reduce(0) { $0 + ($1.0 >= 1 ? $1.1 : 0) }
    }

    /// The tries within which `share` of the successful allocations succeeded: the upper end of the
    /// first bucket whose running count reaches it (a bucket's upper end is the next bucket's lower
    /// bound minus one; the last bucket ends at the model's tries). nil when nothing was allocated.
    static func triesWithin(_ histogram: RetryHistogram, share: Double) -> Int? {
        let total = histogram.counts.reduce(0, +)
        guard total > 0 else { return nil }
        let target = (Double(total) * share).rounded(.up)
        var running: UInt64 = 0
        for (index, count) in histogram.counts.enumerated() {
            running += count
            if Double(running) >= target {
                return index + 1 < histogram.lowerBounds.count ? histogram.lowerBounds[index + 1] - 1 : modelTries
            }
        }
        return modelTries
    }

    static func share(_ part: Int, of whole: Int) -> Double { whole > 0 ? Double(part) / Double(whole) : 0 }

    /// Counters of every gateway's translator added up (the ramp leaves through the active one; a
    /// failover moves it). The retry histograms add when their buckets agree.
    public static func total(_ readings: [SNATStatistics]) -> SNATStatistics? {
        guard var sum = readings.first else { return nil }
        for reading in readings.dropFirst() {
            sum.flowsTranslated += reading.flowsTranslated
            sum.allocationFailures += reading.allocationFailures
            sum.droppedUnselected += reading.droppedUnselected
            sum.liveMappings = zip2(sum.liveMappings, reading.liveMappings, +)
            if let a = sum.retries, let b = reading.retries, a.lowerBounds == b.lowerBounds {
                sum.retries = RetryHistogram(lowerBounds: a.lowerBounds, counts: zip(a.counts, b.counts).map { $0 + $1 }, failed: a.failed + b.failed)
            } else if reading.retries != nil {
                sum.retries = nil
            }
        }
        return sum
    }

    private static func zip2(_ a: Int?, _ b: Int?, _ f: (Int, Int) -> Int) -> Int? {
        guard let a, let b else { return nil }
        return f(a, b)
    }
}
