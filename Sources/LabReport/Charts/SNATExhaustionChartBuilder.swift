import LabResults
import LabTraffic

/// The `snat-exhaustion` chart: per case, the measured failure share of each step against the
/// occupancy the step began at (points joined by lines, the backend's colour), the model's expected
/// share for the same steps (dashed, same colour), and the model's P(fail) = occupancy^128 for one
/// connection as the reference curve.
struct SNATExhaustionChartBuilder {
    typealias Curve = SNATExhaustionMetrics.Curve
    let run: RunAnalysis

    /// Per-step series this builder (and the report's step tables) show; the generic series charts leave them out.
    static var seriesNames: Set<String> { Set(Curve.all) }

    func charts(workload: String) -> [Chart] {
        let cases = run.cases.compactMap { item in SNATSteps(item, workload: workload).map { (item, $0) } }
        guard !cases.isEmpty else { return [] }
        let file = Chart.fileStem(workload, "snat-fail-share")
        let title = "\(workload): failed share per step against occupancy, beside the model"
        var data = GnuplotData()
        var elements: [String] = []
        for (item, steps) in cases {
            guard let occupancy = steps.values(Curve.occupancyBefore), let measured = steps.values(Curve.failShare),
                  let model = steps.values(Curve.modelShare) else { continue }
            let color = "rgb '\(BackendColor.of(item.backend))'"
            data.beginBlock("\(item.id) measured", "occupancy | failed share")
            for (x, y) in zip(occupancy, measured) where x.isFinite && y.isFinite { data.row([x, y]) }
            elements.append("'\(file).dat' index \(data.blockCount - 1) using 1:2 with linespoints lw 1.5 pt 7 lc \(color) "
                            + "title \(GnuplotScript.quote(item.id))")
            data.beginBlock("\(item.id) model", "occupancy | expected failed share")
            for (x, y) in zip(occupancy, model) where x.isFinite && y.isFinite { data.row([x, y]) }
            elements.append("'\(file).dat' index \(data.blockCount - 1) using 1:2 with linespoints dt 2 lw 1 pt 6 lc \(color) "
                            + "title \(GnuplotScript.quote("\(item.id) model"))")
        }
        data.beginBlock("model P(fail) = occupancy^\(SNATExhaustionShaping.modelTries)", "occupancy | P(fail)")
        for k in 0...100 {
            let x = 0.9 + 0.1 * Double(k) / 100
            data.row([x, SNATExhaustionShaping.modelFailureProbability(occupancy: x)])
        }
        elements.append("'\(file).dat' index \(data.blockCount - 1) using 1:2 with lines dt 3 lw 1 lc rgb '#000000' "
                        + "title 'P(fail), \(SNATExhaustionShaping.modelTries) random tries'")
        var script = GnuplotScript(chart: file, title: title)
        script.axisLabels(x: "occupancy at the step's start (live connections / port range)", y: "failed / attempted")
        script.set("yrange [0:1.05]")
        script.set("key outside right top")
        script.plot(elements)
        return [Chart(name: file, title: title, workload: workload, script: script.text, data: data.text)]
    }
}
