import LabResults

/// Charts of one metric across cases: against the swept parameter (one line per backend, with CI
/// error bars) when the scenario sweeps a number, otherwise one bar per case in its backend's colour
/// with the interval as an error bar. The y axis turns logarithmic by `LogAxisRule` when one
/// backend would flatten the rest.
struct MetricChartBuilder {
    /// The metrics worth a chart of their own, and whether their y axis is logarithmic (install and
    /// update times span orders of magnitude between a BPF map update and a 10k-rule iptables-restore).
    static let charted: [(metric: String, logY: Bool)] = [
        ("throughput_gbps", false), ("pps_handled", false), ("pps", false), ("pps_dropped", false), ("cps", false),
        ("tps", false), ("rr_p99_us", false), ("cpu_ns_per_pkt", false), ("rx_cpu_ns_per_pkt", false),
        ("install_ms", true), ("update_ms", true),
        ("ns_per_pkt_match", false), ("ns_per_pkt_nomatch", false), ("bpf_ns_per_run", false),
    ]

    let run: RunAnalysis

    func charts(workload: String) -> [Chart] {
        let metrics = Set(run.metrics(of: workload))
        return MetricChartBuilder.charted.filter { metrics.contains($0.metric) }.map { entry in
            let id = MetricID(workload: workload, metric: entry.metric)
            if let axis = SweepAxis(analysis: run) {
                return sweepChart(id, axis: axis, logY: entry.logY)
            }
            return barChart(id, logY: entry.logY)
        }
    }

    private func sweepChart(_ id: MetricID, axis: SweepAxis, logY: Bool) -> Chart {
        let name = Chart.fileStem(id.workload, id.metric)
        let title = "\(id.workload): \(id.metric) against \(axis.name)"
        var data = GnuplotData()
        var elements: [String] = []
        let plotted = lines(id, axis: axis)
        let logY = logY || LogAxisRule.wantsLog(plotted.flatMap { $0.points.map { $0[1] } })
        for line in plotted {
            data.beginBlock(line.label, "\(axis.name) median ci_low ci_high")
            for point in line.points { data.row(point) }
            elements.append("'\(name).dat' index \(data.blockCount - 1) using 1:2:3:4 with yerrorlines "
                + "lw 2 lc rgb '\(BackendColor.of(line.backend))' title \(GnuplotScript.quote(line.label))")
        }
        var script = GnuplotScript(chart: name, title: title)
        script.axisLabels(x: axis.name + (axis.logarithmic ? " (log scale)" : ""), y: yLabel(id, logY: logY))
        if axis.logarithmic { script.set("logscale x 10") }
        if logY { script.set("logscale y 10") }
        script.set("offsets graph 0.02, graph 0.02, graph 0.05, graph 0.05")
        // Every charted quantity is non-negative: keep the offsets from drawing a negative axis.
        if !logY { script.set("yrange [0:*]") }
        script.plot(elements)
        return Chart(name: name, title: title, workload: id.workload, script: script.text, data: data.text)
    }

    private struct Line {
        let label: String
        let backend: String
        var points: [[Double]]
    }

    /// Lines in the order their first case appears in run.json; points sorted by x.
    private func lines(_ id: MetricID, axis: SweepAxis) -> [Line] {
        var lines: [Line] = []
        for item in run.cases {
            guard let x = axis.x(of: item), let stats = item.metrics[id] else { continue }
            let label = axis.lineLabel(of: item, in: run)
            let point = [x, stats.median, stats.interval?.low ?? stats.median, stats.interval?.high ?? stats.median]
            if let index = lines.firstIndex(where: { $0.label == label }) {
                lines[index].points.append(point)
            } else {
                lines.append(Line(label: label, backend: item.backend, points: [point]))
            }
        }
        return lines.map { Line(label: $0.label, backend: $0.backend, points: $0.points.sorted { $0[0] < $1[0] }) }
    }

    private func barChart(_ id: MetricID, logY: Bool) -> Chart {
        let name = Chart.fileStem(id.workload, id.metric)
        let title = "\(id.workload): \(id.metric) per case"
        let measured = run.cases.filter { $0.metrics[id] != nil }
        let logY = logY || LogAxisRule.wantsLog(measured.map { $0.metrics[id]!.median })
        var data = GnuplotData()
        var elements: [String] = []
        // A block per case, so each bar takes its backend's colour; one last block for the error bars.
        for (index, item) in measured.enumerated() {
            data.beginBlock(item.id, "case_index median")
            data.row([Double(index), item.metrics[id]!.median])
            elements.append("'\(name).dat' index \(index) using 1:2 with boxes lc rgb '\(BackendColor.of(item.backend))' notitle")
        }
        data.beginBlock("95% intervals", "case_index median ci_low ci_high")
        for (index, item) in measured.enumerated() {
            let stats = item.metrics[id]!
            data.row([Double(index), stats.median, stats.interval?.low ?? stats.median, stats.interval?.high ?? stats.median])
        }
        elements.append("'\(name).dat' index \(measured.count) using 1:2:3:4 with yerrorbars lc rgb '#000000' pt 0 lw 1.5 title 'median, 95% CI'")
        var script = GnuplotScript(chart: name, title: title)
        script.axisLabels(x: "case", y: yLabel(id, logY: logY))
        script.categoryTicks(measured.map(\.id))
        script.set("style fill solid 0.8 border rgb '#000000'")
        script.set("boxwidth 0.6")
        // Bars rise from the axis floor: 0 on a linear axis, the bottom of the graph on a log one.
        if logY {
            script.set("logscale y 10")
        } else {
            script.set("yrange [0:*]")
        }
        script.plot(elements)
        return Chart(name: name, title: title, workload: id.workload, script: script.text, data: data.text)
    }

    private func yLabel(_ id: MetricID, logY: Bool) -> String {
        let unit = id.info.unit.isEmpty ? "" : " (\(id.info.unit))"
        return id.metric + unit + (logY ? ", log scale" : "")
    }
}
