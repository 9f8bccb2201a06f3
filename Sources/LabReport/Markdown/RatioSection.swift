import LabResults
import LabStats

/// Ratio tables: each backend against no filter, then each eBPF backend against each netfilter
/// backend, per workload; a column per directional metric, each cell `ratio× [CI low, CI high]`.
struct RatioSection {
    let run: RunAnalysis

    var text: String {
        var out = "## Ratios to no filter\n\n"
            + "Median of the case ÷ median of `none` at the same point [95% bootstrap interval of the ratio, "
            + "each side resampled independently]. ↑: higher is better, so above 1× beats no filter; "
            + "↓: lower is better.\n"
        out += tables(kind: .toNone, rowLabel: "case") { $0.key.subject }
        out += "\n## eBPF against netfilter\n\n"
            + "Median of the eBPF case ÷ median of the netfilter case at the same point. For ↑ metrics, "
            + "above 1× means eBPF is better; for ↓ metrics, below 1×.\n"
        out += tables(kind: .ebpfOverNetfilter, rowLabel: "pair") { $0.key.pair }
        return out
    }

    private func tables(kind: RatioKind, rowLabel: String, row: (CaseRatio) -> String) -> String {
        let ratios = run.ratios.filter { $0.kind == kind }
        guard !ratios.isEmpty else { return "\nNo ratios: no case of this kind has a counterpart at the same point.\n" }
        var out = ""
        for workload in run.workloads {
            let here = ratios.filter { $0.key.workload == workload }
            guard !here.isEmpty else { continue }
            let metrics = run.metrics(of: workload).filter { metric in here.contains { $0.key.metric == metric } }
            var table = MarkdownTable(headers: [rowLabel] + metrics.map { "\($0) \(RatioSection.arrow($0))" },
                                      alignments: [.left] + metrics.map { _ in .right })
            var rows: [String] = []
            for ratio in here where !rows.contains(row(ratio)) { rows.append(row(ratio)) }
            for label in rows {
                table.append([label] + metrics.map { metric in
                    here.first { row($0) == label && $0.key.metric == metric }.map(RatioSection.cell) ?? "–"
                })
            }
            out += "\n### \(workload)\n\n" + table.text
        }
        return out
    }

    /// "0.97× [0.95, 0.99]", or the reason there is no interval.
    static func cell(_ ratio: CaseRatio) -> String {
        let text = NumberText.ratioWithInterval(ratio.value, ratio.interval)
        guard ratio.interval == nil else { return text }
        // With enough samples, a missing interval means resampled denominators of zero.
        return text + (ratio.count < Bootstrap.minimumSampleCount ? " (n=\(ratio.count))" : " (interval unbounded)")
    }

    static func arrow(_ metric: String) -> String {
        switch MetricCatalog.info(metric).direction {
        case .higherIsBetter: return "↑"
        case .lowerIsBetter: return "↓"
        case .neutral: return ""
        }
    }
}
