import LabResults

/// Compares the within-run ratios of two runs of the same scenario (backend / none, eBPF / netfilter),
/// never absolute numbers, which do not travel between machines.
public enum RunComparison {
    /// - Parameters:
    ///   - threshold: tolerated relative change, as a fraction (0.05).
    ///   - metrics: only these metrics; empty for every directional metric.
    /// - Throws: `CompareError.incompatible` for another scenario or schema, or no ratio in common;
    ///   `.unknownMetrics` / `.neutralMetrics` for a `metrics` entry that cannot be compared.
    public static func compare(baseline: RunRecord, current: RunRecord, threshold: Double,
                               metrics: [String] = []) throws -> ComparisonReport {
        try checkCompatible(baseline: baseline, current: current)
        let old = RunAnalysis(record: baseline)
        let new = RunAnalysis(record: current)
        try checkRequested(metrics, in: [old, new])
        let wanted = { (ratio: CaseRatio) in metrics.isEmpty || metrics.contains(ratio.key.metric) }
        // uniquingKeysWith: a hand-edited run.json with a duplicated case id must not crash compare.
        let before = Dictionary(old.ratios.filter(wanted).map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let after = Dictionary(new.ratios.filter(wanted).map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let common = Set(before.keys).intersection(after.keys)
        guard !common.isEmpty else {
            throw CompareError.incompatible("no ratio of \(metrics.isEmpty ? "any directional metric" : metrics.joined(separator: ", ")) "
                + "is in both runs (did the none case or every filtering case fail?)")
        }
        // What needs attention first, then the current run's report order (case, reference, workload, metric).
        let position = Dictionary(new.ratios.enumerated().map { ($1.key, $0) }, uniquingKeysWith: { first, _ in first })
        let changes = common.map { RatioChange(baseline: before[$0]!, current: after[$0]!, threshold: threshold) }
            .sorted { ($0.status.rank, position[$0.key]!) < ($1.status.rank, position[$1.key]!) }
        return ComparisonReport(
            scenario: current.scenario.name, threshold: threshold,
            baseline: MachineSummary(baseline), current: MachineSummary(current), changes: changes,
            onlyInBaseline: old.ratios.map(\.key).filter { before[$0] != nil && after[$0] == nil }.map(label),
            onlyInCurrent: new.ratios.map(\.key).filter { after[$0] != nil && before[$0] == nil }.map(label))
    }

    private static func checkCompatible(baseline: RunRecord, current: RunRecord) throws {
        // Both records were read (a schema this benchlab cannot read is refused when loading), and
        // every readable schema carries the same samples: a /1 baseline compares with a /2 run.
        guard baseline.scenario.name == current.scenario.name else {
            throw CompareError.incompatible("baseline ran scenario '\(baseline.scenario.name)', current ran '\(current.scenario.name)'")
        }
    }

    private static func checkRequested(_ metrics: [String], in runs: [RunAnalysis]) throws {
        let recorded = Set(runs.flatMap { run in run.workloads.flatMap(run.metrics(of:)) })
        let unknown = metrics.filter { !recorded.contains($0) }
        guard unknown.isEmpty else { throw CompareError.unknownMetrics(unknown) }
        let neutral = metrics.filter { MetricCatalog.info($0).direction == .neutral }
        guard neutral.isEmpty else { throw CompareError.neutralMetrics(neutral) }
    }

    static func label(_ key: RatioKey) -> String {
        "\(key.pair) · \(key.workload) · \(key.metric)"
    }
}
