import LabResults

/// Everything the report, the CSV and `compare` derive from one run.json, computed once: per-case
/// statistics of the cases that ran, the within-run ratios, and a stable order for workloads and
/// metrics so that every output is deterministic.
public struct RunAnalysis: Sendable {
    public let record: RunRecord
    /// Cases with status ok, in run.json order. Failed and skipped cases have no trustworthy numbers
    /// (a case that failed equivalence measured a different policy) and appear only in their own section.
    public let cases: [CaseAnalysis]
    /// Scenario workloads in scenario order, then any other workload seen in samples (e.g. the policy
    /// install/update timings), alphabetically.
    public let workloads: [String]
    public let ratios: [CaseRatio]
    /// Each filtering case's per-packet cost over `none` in the same rounds (`MarginalMetrics`).
    public let marginals: [MarginalCost]
    private let metricsByWorkload: [String: [String]]

    public init(record: RunRecord) {
        self.record = record
        cases = record.cases.filter { $0.status == .ok }.map(CaseAnalysis.init(record:))
        let seen = Set(cases.flatMap { $0.metrics.keys })
        let declared = record.scenario.workloads.map(\.name)
        let extra = Set(seen.map(\.workload)).subtracting(declared).sorted()
        workloads = (declared + extra).filter { name in seen.contains { $0.workload == name } }
        metricsByWorkload = Dictionary(grouping: seen, by: \.workload).mapValues { ids in
            RunAnalysis.catalogOrder(ids.map(\.metric))
        }
        let (workloads, metricsByWorkload) = (self.workloads, self.metricsByWorkload)
        let order = workloads.flatMap { workload in metricsByWorkload[workload, default: []].map { MetricID(workload: workload, metric: $0) } }
        ratios = RatioBuilder(cases: cases, metricOrder: order).ratios()
        // Per-packet cost compares like with like only where every backend carries the same packets.
        let fixedFrames = Set(record.scenario.workloads.filter { MarginalMetrics.workloadKinds.contains($0.kind) }.map(\.name))
        marginals = MarginalBuilder(cases: cases, metricOrder: order.filter { fixedFrames.contains($0.workload) }).marginals()
    }

    /// Metrics a workload recorded, in MetricCatalog order, unknown metrics last alphabetically.
    public func metrics(of workload: String) -> [String] {
        metricsByWorkload[workload] ?? []
    }

    public func analysis(ofCase id: String) -> CaseAnalysis? {
        cases.first { $0.id == id }
    }

    /// Scenario parameter names in scenario order.
    public var parameterNames: [String] { record.scenario.parameters.map(\.name) }

    /// Every case's parameter point, each once, in run.json order (the sweep's order).
    public var points: [[String: String]] {
        var points: [[String: String]] = []
        for item in record.cases where !points.contains(item.parameters) { points.append(item.parameters) }
        return points
    }

    /// "rules=100" (scenario parameter order), or "" without a sweep.
    public func pointLabel(_ parameters: [String: String]) -> String {
        parameterNames.compactMap { name in parameters[name].map { "\(name)=\($0)" } }.joined(separator: ",")
    }

    public func workloadRecord(_ name: String) -> WorkloadRecord? {
        record.scenario.workloads.first { $0.name == name }
    }

    static func catalogOrder(_ metrics: [String]) -> [String] {
        let rank = Dictionary(uniqueKeysWithValues: MetricCatalog.all.enumerated().map { ($1.name, $0) })
        return Set(metrics).sorted { a, b in
            switch (rank[a], rank[b]) {
            case let (x?, y?): return x < y
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return a < b
            }
        }
    }
}
