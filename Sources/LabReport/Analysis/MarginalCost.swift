import LabResults
import LabStats

/// What a backend adds to a per-packet cost over no filter: the median over rounds of
/// (case − `none`) at the same parameter point, each difference taken within one round.
public struct MarginalCost: Sendable, Equatable {
    public let caseId: String
    public let backend: String
    public let baselineCaseId: String
    public let parameters: [String: String]
    public let metric: MetricID
    /// Median of the per-round differences.
    public let value: Double
    /// Bootstrap interval of that median; nil with fewer than `Bootstrap.minimumSampleCount` rounds.
    public let interval: ConfidenceInterval?
    /// Rounds in which both cases measured the metric.
    public let rounds: Int
    /// `none`'s median at the point, so a reader sees what the difference is small against.
    public let baselineMedian: Double
}

/// Pairs each filtering case with the baseline at its point, round by round. Cases run interleaved
/// (A B C A B C), so repeat k of every case shares round k's machine state; differencing within a
/// round cancels what drifts between rounds. Round k is a case's k-th non-warm-up repeat, failed ones
/// included (`index` is the position in the whole schedule, so it differs between cases): a failed
/// repeat of one side drops that round instead of shifting every later pair.
struct MarginalBuilder {
    let cases: [CaseAnalysis]
    let metricOrder: [MetricID]

    func marginals() -> [MarginalCost] {
        let ids = metricOrder.filter { MarginalMetrics.names.contains($0.metric) }
        return cases.flatMap { subject -> [MarginalCost] in
            guard let family = subject.family, family != .baseline,
                  let base = cases.first(where: { $0.family == .baseline && $0.record.parameters == subject.record.parameters })
            else { return [] }
            return ids.compactMap { marginal(subject, base, $0) }
        }
    }

    private func marginal(_ subject: CaseAnalysis, _ base: CaseAnalysis, _ id: MetricID) -> MarginalCost? {
        guard let baseStats = base.metrics[id] else { return nil }
        let top = MarginalBuilder.perRound(subject.record, id)
        let bottom = MarginalBuilder.perRound(base.record, id)
        let differences = top.keys.sorted().compactMap { round in bottom[round].map { top[round]! - $0 } }
        guard !differences.isEmpty else { return nil }
        let bootstrap = StatisticsPolicy.bootstrap(label: "marginal|\(subject.id)|\(base.id)|\(id)")
        return MarginalCost(caseId: subject.id, backend: subject.backend, baselineCaseId: base.id,
                            parameters: subject.record.parameters, metric: id, value: Quantile.median(differences),
                            interval: bootstrap.medianInterval(differences), rounds: differences.count,
                            baselineMedian: baseStats.median)
    }

    /// Round → the metric's value in that round (the median if recorded twice); failed rounds absent.
    static func perRound(_ record: CaseRecord, _ id: MetricID) -> [Int: Double] {
        var out: [Int: Double] = [:]
        for (round, item) in record.repeats.filter({ !$0.warmup }).enumerated() where item.failure == nil {
            let values = item.samples.filter { $0.workload == id.workload && $0.metric == id.metric && $0.value.isFinite }
                .map(\.value)
            if !values.isEmpty { out[round] = Quantile.median(values) }
        }
        return out
    }
}
