import LabResults

/// One workload's headline metric as people paste it into design documents: a row per backend, a
/// column per value of the swept parameter, each cell "median (ratio to none) [interval]".
/// Cases that did not run say why instead of leaving a gap.
struct HeadlineTable {
    let run: RunAnalysis
    let workload: String
    let metric: String

    var text: String {
        let id = MetricID(workload: workload, metric: metric)
        let columns = self.columns
        var table = MarkdownTable(headers: ["backend"] + columns.map(\.title),
                                  alignments: [.left] + columns.map { _ in .right })
        for row in rows {
            let cells = columns.map { column in cell(row: row, column: column, id) }
            // A backend that never records the metric (none has no install time) is not a gap.
            guard cells.contains(where: { $0 != HeadlineTable.notMeasured }) else { continue }
            table.append([row] + cells)
        }
        let unit = id.info.unit.isEmpty ? "" : " (\(id.info.unit))"
        return "\(workload) · \(metric)\(unit) \(RatioSection.arrow(metric))\n\n" + table.text
    }

    private var axis: SweepAxis? { SweepAxis(analysis: run) }

    static let notMeasured = "not measured"

    /// A column per value of the swept parameter in scenario order; without a sweep, a column per
    /// point (one when the scenario has no parameters).
    private struct Column {
        let title: String
        let matches: ([String: String]) -> Bool
    }

    private var columns: [Column] {
        if let axis, let parameter = run.record.scenario.parameters.first(where: { $0.name == axis.name }) {
            return parameter.values.map { value in Column(title: "\(axis.name)=\(value)") { $0[axis.name] == value } }
        }
        return run.points.map { point in
            let label = run.pointLabel(point)
            return Column(title: label.isEmpty ? "value" : label) { $0 == point }
        }
    }

    /// Row labels in run.json order: the backend, plus any parameter other than the swept one.
    private var rows: [String] {
        var out: [String] = []
        for item in run.record.cases where !out.contains(label(item)) { out.append(label(item)) }
        return out
    }

    private func label(_ item: CaseRecord) -> String {
        let others = run.parameterNames.filter { $0 != axis?.name }.compactMap { key in item.parameters[key].map { "\(key)=\($0)" } }
        return ([item.backend] + (axis == nil ? [] : others)).joined(separator: " ")
    }

    private func cell(row: String, column: Column, _ id: MetricID) -> String {
        guard let record = run.record.cases.first(where: { label($0) == row && column.matches($0.parameters) }) else {
            return HeadlineTable.notMeasured
        }
        switch record.status {
        case .failed: return "failed"
        case .skipped: return "skipped"
        default: break
        }
        guard let stats = run.analysis(ofCase: record.id)?.metrics[id] else { return HeadlineTable.notMeasured }
        return HeadlineTable.cell(stats, ratio: run.ratios.first { $0.kind == .toNone && $0.key.subject == record.id
                && $0.key.workload == id.workload && $0.key.metric == id.metric })
    }

    /// "9.41 (0.97×) [9.32–9.47]": the interval of the median; the ratio is to none at the same point.
    static func cell(_ stats: MetricStatistics, ratio: CaseRatio?) -> String {
        var text = NumberText.value(stats.median)
        if let ratio { text += " (\(NumberText.ratio(ratio.value)))" }
        if let interval = stats.interval {
            text += " [\(NumberText.value(interval.low))–\(NumberText.value(interval.high))]"
        } else {
            text += " (n=\(stats.count))"
        }
        return text
    }
}
