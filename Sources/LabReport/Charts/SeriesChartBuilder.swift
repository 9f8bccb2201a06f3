import LabResults

/// A chart for every named `Series` a workload recorded (conntrack fill over time, drops against
/// occupancy, …): one line per counted repeat, one colour per case, labels taken from the series.
struct SeriesChartBuilder {
    let run: RunAnalysis

    func charts(workload: String) -> [Chart] {
        seriesNames(workload: workload).map { chart(workload: workload, series: $0) }
    }

    /// Series names in order of first appearance.
    private func seriesNames(workload: String) -> [String] {
        var names: [String] = []
        for item in run.cases {
            // Percentile ladders are drawn as distributions (DistributionChartBuilder), not as curves;
            // the SNAT ramp's per-step series as one chart against occupancy (SNATExhaustionChartBuilder).
            for series in counted(item) where series.workload == workload && !names.contains(series.name)
                && !DistributionChartBuilder.seriesNames.contains(series.name)
                && !SNATExhaustionChartBuilder.seriesNames.contains(series.name) {
                names.append(series.name)
            }
        }
        return names
    }

    private func counted(_ item: CaseAnalysis) -> [Series] {
        item.record.repeats.filter { !$0.warmup && $0.failure == nil }.flatMap(\.series)
    }

    private func chart(workload: String, series name: String) -> Chart {
        let file = Chart.fileStem(workload, "series", name)
        let title = "\(workload): \(name)"
        var data = GnuplotData()
        var elements: [String] = []
        var labels: (x: String, y: String)?
        let withSeries = run.cases.filter { item in counted(item).contains { $0.workload == workload && $0.name == name } }
        // The backend's own colour when each backend appears once, as in the other charts; else one per case.
        let byBackend = Set(withSeries.map(\.backend)).count == withSeries.count
        for (caseNumber, item) in withSeries.enumerated() {
            let color = byBackend ? "rgb '\(BackendColor.of(item.backend))'" : "\(caseNumber + 1)"
            let curves = counted(item).filter { $0.workload == workload && $0.name == name }
            for (repeatNumber, curve) in curves.enumerated() {
                labels = labels ?? (curve.xLabel, curve.yLabel)
                data.beginBlock("\(item.id) repeat \(repeatNumber + 1)", "\(curve.xLabel) | \(curve.yLabel)")
                for (x, y) in zip(curve.x, curve.y) where x.isFinite && y.isFinite { data.row([x, y]) }
                // Title only the first repeat, so the key lists each case once.
                let title = repeatNumber == 0 ? "title \(GnuplotScript.quote(item.id))" : "notitle"
                elements.append("'\(file).dat' index \(data.blockCount - 1) using 1:2 with lines lw 1.5 lc \(color) \(title)")
            }
        }
        var script = GnuplotScript(chart: file, title: title)
        script.axisLabels(x: labels?.x ?? "x", y: labels?.y ?? "y")
        script.plot(elements)
        return Chart(name: file, title: title, workload: workload, script: script.text, data: data.text)
    }
}
