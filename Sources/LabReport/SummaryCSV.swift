import Foundation
import LabResults

/// summary.csv: tidy data (one row per case × workload × metric × statistic) for spreadsheets, pandas
/// or R. RFC 4180: CRLF line ends, fields with a comma, quote or line break are quoted.
struct SummaryCSV {
    let run: RunAnalysis

    var text: String {
        var rows = [header]
        for item in run.cases {
            for workload in run.workloads {
                for metric in run.metrics(of: workload) {
                    let id = MetricID(workload: workload, metric: metric)
                    guard let stats = item.metrics[id] else { continue }
                    let prefix = [item.id, item.backend] + parameterNames.map { item.record.parameters[$0] ?? "" }
                        + [workload, metric, id.info.unit]
                    for (statistic, value) in statistics(stats) {
                        rows.append(prefix + [statistic, NumberText.exact(value), "\(stats.count)"])
                    }
                    for (statistic, value, count) in ratios(of: item, id) + marginals(of: item, id) {
                        rows.append(prefix + [statistic, NumberText.exact(value), "\(count)"])
                    }
                }
            }
        }
        return rows.map { $0.map(SummaryCSV.field).joined(separator: ",") + "\r\n" }.joined()
    }

    private var parameterNames: [String] { run.parameterNames }

    /// Parameter columns are named after the parameter, prefixed only if a name clashes with ours.
    private var header: [String] {
        let fixed = ["case", "backend", "workload", "metric", "unit", "statistic", "value", "n"]
        let parameters = parameterNames.map { fixed.contains($0) ? "param_\($0)" : $0 }
        return ["case", "backend"] + parameters + ["workload", "metric", "unit", "statistic", "value", "n"]
    }

    private func statistics(_ stats: MetricStatistics) -> [(String, Double)] {
        var out: [(String, Double)] = [("median", stats.median)]
        if let interval = stats.interval { out += [("ci95_low", interval.low), ("ci95_high", interval.high)] }
        out += [("mean", stats.summary.mean), ("min", stats.summary.minimum), ("max", stats.summary.maximum)]
        if let deviation = stats.summary.standardDeviation { out.append(("stdev", deviation)) }
        if let cv = stats.summary.coefficientOfVariation { out.append(("cv", cv)) }
        return out
    }

    /// "ratio_to_none", "ratio_to_iptables-legacy" and their intervals; n is the smaller side's count.
    private func ratios(of item: CaseAnalysis, _ id: MetricID) -> [(String, Double, Int)] {
        run.ratios.filter { $0.key.subject == item.id && $0.key.workload == id.workload && $0.key.metric == id.metric }
            .flatMap { ratio -> [(String, Double, Int)] in
                let name = "ratio_to_\(ratio.referenceBackend)"
                var out = [(name, ratio.value, ratio.count)]
                if let interval = ratio.interval {
                    out += [("\(name)_ci95_low", interval.low, ratio.count), ("\(name)_ci95_high", interval.high, ratio.count)]
                }
                return out
            }
    }

    /// "marginal_to_none" (the case minus none in the same round, median over rounds) and its
    /// interval; n is the number of rounds paired.
    private func marginals(of item: CaseAnalysis, _ id: MetricID) -> [(String, Double, Int)] {
        run.marginals.filter { $0.caseId == item.id && $0.metric == id }.flatMap { cost -> [(String, Double, Int)] in
            var out = [("marginal_to_none", cost.value, cost.rounds)]
            if let interval = cost.interval {
                out += [("marginal_to_none_ci95_low", interval.low, cost.rounds), ("marginal_to_none_ci95_high", interval.high, cost.rounds)]
            }
            return out
        }
    }

    static func field(_ text: String) -> String {
        // isNewline, not == "\n": Swift reads "\r\n" as one Character equal to neither "\r" nor "\n".
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
