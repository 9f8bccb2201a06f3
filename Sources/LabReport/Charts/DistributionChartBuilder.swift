import LabResults
import LabStats
import LabTraffic

/// Latency as HdrHistogram-style percentile distributions: per parameter point, one line per backend,
/// x = percentile on a log(1/(1−p)) axis, y = the median across counted repeats of the value at that
/// percentile. The ladder comes from the agent's recorded series; runs recorded before it existed
/// fall back to the p50/p90/p99/p99.9 metrics, so old run.json files still draw.
struct DistributionChartBuilder {
    struct Family {
        let prefix: String
        /// The series holding the full ladder (percentile → value), if the workload records one.
        let series: String?
        let axis: String
        /// Fallback ladder: metric and its percentile.
        let metrics: [(metric: String, percentile: Double)]
    }

    static let families = [
        Family(prefix: "latency", series: LatencyWorkload.percentileSeries, axis: "round trip (µs)",
               metrics: [("latency_p50_us", 50), ("latency_p90_us", 90), ("latency_p99_us", 99), ("latency_p999_us", 99.9)]),
        Family(prefix: "connect", series: nil, axis: "TCP handshake (µs)",
               metrics: [("connect_p50_us", 50), ("connect_p90_us", 90), ("connect_p99_us", 99), ("connect_p999_us", 99.9)]),
    ]

    /// Series this builder draws; the generic series charts leave them out.
    static var seriesNames: Set<String> { Set(families.compactMap(\.series)) }

    let run: RunAnalysis

    func charts(workload: String) -> [Chart] {
        DistributionChartBuilder.families.flatMap { family in
            run.points.compactMap { chart(workload: workload, family: family, point: $0) }
        }
    }

    private func chart(workload: String, family: Family, point: [String: String]) -> Chart? {
        let lines = run.cases.filter { $0.record.parameters == point }.compactMap { item in
            ladder(item, workload: workload, family: family).map { (item, $0) }
        }
        guard !lines.isEmpty else { return nil }
        let label = run.pointLabel(point)
        let name = label.isEmpty ? Chart.fileStem(workload, family.prefix, "distribution")
            : Chart.fileStem(workload, family.prefix, "distribution", label)
        let title = "\(workload): \(family.prefix) percentile distribution" + (label.isEmpty ? "" : " at \(label)")
        var data = GnuplotData()
        var elements: [String] = []
        for (item, ladder) in lines {
            data.beginBlock("\(item.id) (\(ladder.source))", "percentile x=log10(1/(1-p)) median")
            for (percentile, value) in ladder.points {
                guard let x = PercentileAxis.x(percentile: percentile) else { continue }
                data.row([percentile, x, value])
            }
            elements.append("'\(name).dat' index \(data.blockCount - 1) using 2:3 with linespoints lw 2 pt 7 ps 0.6 "
                + "lc rgb '\(BackendColor.of(item.backend))' title \(GnuplotScript.quote(item.backend))")
        }
        let logY = LogAxisRule.wantsLog(lines.flatMap { $0.1.points.map(\.value) })
        var script = GnuplotScript(chart: name, title: title)
        script.axisLabels(x: "percentile (log 1/(1-p) axis)", y: family.axis + (logY ? ", log scale" : ""))
        // gnuplot reads tick labels as formats: a literal % is %%.
        let ticks = PercentileAxis.ticks.map { "\(GnuplotScript.quote($0.label.replacingOccurrences(of: "%", with: "%%"))) \(NumberText.exact(PercentileAxis.x(percentile: $0.percentile)!))" }
        script.set("xtics (\(ticks.joined(separator: ", ")))")
        script.set("xrange [0:*]")
        if logY { script.set("logscale y 10") } else { script.set("yrange [0:*]") }
        script.set("key inside left top")
        script.plot(elements)
        return Chart(name: name, title: title, workload: workload, script: script.text, data: data.text)
    }

    private struct Ladder {
        let source: String
        let points: [(percentile: Double, value: Double)]
    }

    /// The recorded ladder (median across repeats per percentile), else the percentile metrics.
    private func ladder(_ item: CaseAnalysis, workload: String, family: Family) -> Ladder? {
        let recorded = item.record.repeats.filter { !$0.warmup && $0.failure == nil }.flatMap(\.series)
            .filter { $0.workload == workload && $0.name == family.series }
        if !recorded.isEmpty {
            var byPercentile: [Double: [Double]] = [:]
            for series in recorded {
                for (p, v) in zip(series.x, series.y) where p.isFinite && v.isFinite { byPercentile[p, default: []].append(v) }
            }
            let points = byPercentile.keys.sorted().map { ($0, Quantile.median(byPercentile[$0]!)) }
            return Ladder(source: "recorded ladder, median of \(recorded.count) repeats", points: points)
        }
        let points = family.metrics.compactMap { entry in
            item.metrics[MetricID(workload: workload, metric: entry.metric)].map { (entry.percentile, $0.median) }
        }
        return points.isEmpty ? nil : Ladder(source: "from the percentile metrics", points: points)
    }
}
