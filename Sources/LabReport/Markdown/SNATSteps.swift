import LabResults
import LabStats
import LabTraffic

/// One case's `snat-exhaustion` steps: per step, the median across counted repeats of every per-step
/// series the workload recorded (repeats have the same plan, so step k is step k in each).
struct SNATSteps {
    typealias Curve = SNATExhaustionMetrics.Curve

    let levels: [Double]
    private let values: [String: [Double]]

    init?(_ item: CaseAnalysis, workload: String) {
        let repeats = item.record.repeats.filter { !$0.warmup && $0.failure == nil }
            .map { $0.series.filter { $0.workload == workload && Curve.all.contains($0.name) } }
            .filter { !$0.isEmpty }
        guard let first = repeats.first?.first(where: { $0.name == Curve.attempted }) else { return nil }
        levels = first.x
        var values: [String: [Double]] = [:]
        for name in Curve.all {
            let curves = repeats.compactMap { $0.first { $0.name == name } }.filter { $0.y.count == first.x.count }
            guard !curves.isEmpty else { continue }
            values[name] = (0..<first.x.count).map { k in Quantile.median(curves.map { $0.y[k] }) }
        }
        self.values = values
    }

    var count: Int { levels.count }

    /// The step values of one series; nil when the case did not record it (no translator, no histogram).
    func values(_ curve: String) -> [Double]? { values[curve] }
}

/// Which workloads of the run are of `kind` (their names key the results).
enum WorkloadsOfKind {
    static func names(_ run: RunAnalysis, kind: String) -> [String] {
        run.record.scenario.workloads.filter { $0.kind == kind }.map(\.name)
    }
}
