/// Latency percentiles per case: one point with CI error bars per percentile (p50 … p99.9) for every
/// case, so a reader sees at a glance whether a backend moves the median or only the tail.
struct PercentileChartBuilder {
    /// Families of percentile metrics, each in percentile order.
    static let families: [(prefix: String, axis: String, metrics: [String])] = [
        ("latency", "round trip (µs), log scale", ["latency_p50_us", "latency_p90_us", "latency_p99_us", "latency_p999_us"]),
        ("connect", "TCP handshake (µs), log scale", ["connect_p50_us", "connect_p90_us", "connect_p99_us", "connect_p999_us"]),
    ]

    let run: RunAnalysis

    func charts(workload: String) -> [Chart] {
        let recorded = Set(run.metrics(of: workload))
        return PercentileChartBuilder.families.compactMap { family in
            let metrics = family.metrics.filter(recorded.contains)
            guard !metrics.isEmpty else { return nil }
            return chart(workload: workload, prefix: family.prefix, axis: family.axis, metrics: metrics)
        }
    }

    private func chart(workload: String, prefix: String, axis: String, metrics: [String]) -> Chart {
        let name = Chart.fileStem(workload, prefix, "percentiles")
        let title = "\(workload): \(prefix) percentiles per case"
        let measured = run.cases.filter { item in metrics.contains { item.metrics[MetricID(workload: workload, metric: $0)] != nil } }
        var data = GnuplotData()
        var elements: [String] = []
        for (k, metric) in metrics.enumerated() {
            // Side by side within each case's slot, so the error bars of p50 and p99 do not overlap.
            let offset = (Double(k) - Double(metrics.count - 1) / 2) * 0.15
            data.beginBlock(metric, "case_position median ci_low ci_high")
            for (index, item) in measured.enumerated() {
                guard let stats = item.metrics[MetricID(workload: workload, metric: metric)] else { continue }
                data.row([Double(index) + offset, stats.median, stats.interval?.low ?? stats.median,
                          stats.interval?.high ?? stats.median])
            }
            elements.append("'\(name).dat' index \(k) using 1:2:3:4 with yerrorbars pt 7 lc \(k + 1) title \(GnuplotScript.quote(metric))")
        }
        var script = GnuplotScript(chart: name, title: title)
        script.axisLabels(x: "case", y: axis)
        script.categoryTicks(measured.map(\.id))
        script.set("logscale y 10")
        script.plot(elements)
        return Chart(name: name, title: title, workload: workload, script: script.text, data: data.text)
    }
}
