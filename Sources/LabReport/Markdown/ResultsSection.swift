import LabResults

/// One table per workload: a row per case, a column per metric, each cell `median [CI low, CI high]`,
/// with the workload's charts below it.
struct ResultsSection {
    let run: RunAnalysis
    let charts: ChartPlan
    let rendering: ChartRendering

    var text: String {
        var out = "## Results\n\nMedian of the counted repeats [95% bootstrap interval]. ⚠ marks a noisy "
            + "measurement (coefficient of variation above 10%); (n=2) marks too few samples for an interval.\n"
        if StealFlag.anyFlagged(run) { out += StealFlag.legend }
        for workload in run.workloads {
            out += "\n### \(workload)\n\n"
            if let record = run.workloadRecord(workload) {
                out += "\(record.kind): \(inlineCode(record.settings))\n\n"
            }
            out += table(workload).text
            out += ChartLinks(charts: charts.charts(of: workload), rendering: rendering).text
        }
        return out
    }

    private func table(_ workload: String) -> MarkdownTable {
        let metrics = run.metrics(of: workload)
        let headers = ["case", "n"] + metrics.map { metric in
            let unit = MetricCatalog.info(metric).unit
            return unit.isEmpty ? metric : "\(metric) (\(unit))"
        }
        var table = MarkdownTable(headers: headers, alignments: [.left, .right] + metrics.map { _ in .right })
        for item in run.cases {
            let stolen = StealFlag.isFlagged(item, workload: workload)
            let cells = metrics.map { metric in
                item.metrics[MetricID(workload: workload, metric: metric)].map {
                    ResultsSection.cell($0, MetricCatalog.info(metric), stolen: stolen)
                }
            }
            guard cells.contains(where: { $0 != nil }) else { continue }
            table.append([item.id, "\(item.countedRepeats)"] + cells.map { $0 ?? "–" })
        }
        return table
    }

    /// `stolen`: the case's repeats of this workload ran under heavy CPU steal (`StealFlag`).
    static func cell(_ stats: MetricStatistics, _ info: MetricInfo, stolen: Bool = false) -> String {
        var text = NumberText.withInterval(stats.median, stats.interval, format: info.isEventCount ? NumberText.count : NumberText.value)
        if stats.interval == nil { text += " (n=\(stats.count))" }
        if stats.isNoisy { text += " ⚠" }
        if stolen { text += " \(StealFlag.marker)" }
        return text
    }
}

/// Links to a workload's charts: the SVG inline when it was drawn, the script and data otherwise.
struct ChartLinks {
    let charts: [Chart]
    let rendering: ChartRendering

    var text: String {
        guard !charts.isEmpty else { return "" }
        let drawn = charts.filter(rendering.isRendered).map(link)
        let missing = charts.filter { !rendering.isRendered($0) }.map(link)
        return (drawn.map { "\n" + $0 } + (missing.isEmpty ? [] : ["\n" + missing.joined()])).joined()
    }

    private func link(_ chart: Chart) -> String {
        let sources = "[script](charts/\(chart.scriptFile)) · [data](charts/\(chart.dataFile))"
        if rendering.isRendered(chart) {
            return "![\(chart.title)](charts/\(chart.imageFile))\n\n\(sources)\n"
        }
        return "- \(chart.title), not rendered: \(sources)\n"
    }
}
