import LabResults

/// The comparison as Markdown fit for a pull-request comment: a one-line summary, the two machines,
/// the ratios that moved, and the rest folded away.
struct ComparisonMarkdown {
    let result: ComparisonReport

    var text: String {
        var out = "## benchlab compare: \(result.scenario)\n\n\(summary)\n\n\(mode)\n\n\(machines.text)"
        if result.baseline.kernel != result.current.kernel || result.baseline.cpuModel != result.current.cpuModel {
            out += "\nThe runs come from different machines; ratios within each run are compared, which "
                + "absorbs most of that, but not all (e.g. a kernel change moves netfilter and eBPF differently).\n"
        }
        let moved = result.changes.filter { $0.status != .withinThreshold }
        let steady = result.changes.filter { $0.status == .withinThreshold }
        if !moved.isEmpty { out += "\n" + table(moved).text }
        if !steady.isEmpty {
            out += "\n<details><summary>\(steady.count) \(steady.count == 1 ? "ratio" : "ratios") within ±\(percent)</summary>\n\n"
                + table(steady).text + "\n</details>\n"
        }
        out += CompareMarkdownParts.missing("Only in the baseline (a case failed or left the scenario)", result.onlyInBaseline)
        out += CompareMarkdownParts.missing("Only in the current run", result.onlyInCurrent)
        return out
    }

    /// The one line a reviewer reads.
    var summary: String {
        let regressions = result.count(.regression)
        let head = regressions > 0
            ? "❌ **\(regressions) \(regressions == 1 ? "regression" : "regressions")** beyond ±\(percent) and outside the noise"
            : "✅ no regression beyond ±\(percent)"
        let rest: [(ChangeStatus, String)] = [
            (.improvement, "improved"), (.withinNoise, "within noise"), (.noInterval, "without an interval to judge noise"),
            (.withinThreshold, "within threshold"),
        ]
        let counts = rest.map { "\(result.count($0.0)) \($0.1)" }.joined(separator: ", ")
        return "\(head) · \(result.changes.count) ratios compared: \(counts)."
    }

    private var mode: String {
        "Mode: **baseline** — within-run ratios against a committed run, which may come from another time "
            + "or machine (the fallback when the base revision cannot be built; see README, CI)."
    }

    private var percent: String {
        NumberText.percentChange(result.threshold).dropFirst().description
    }

    private var machines: MarkdownTable { CompareMarkdownParts.machines([("baseline", result.baseline), ("current", result.current)]) }

    private func table(_ changes: [RatioChange]) -> MarkdownTable {
        var table = MarkdownTable(headers: ["", "ratio", "workload", "metric", "baseline [95% CI]", "current [95% CI]", "change"],
                                  alignments: [.left, .left, .left, .left, .right, .right, .right])
        for change in changes {
            table.append([ComparisonMarkdown.icon(change.status), change.key.pair, change.key.workload,
                          "\(change.key.metric) \(RatioSection.arrow(change.key.metric))",
                          NumberText.ratioWithInterval(change.baseline.value, change.baseline.interval),
                          NumberText.ratioWithInterval(change.current.value, change.current.interval),
                          NumberText.percentChange(change.change)])
        }
        return table
    }

    static func icon(_ status: ChangeStatus) -> String {
        switch status {
        case .regression: return "🔴 regression"
        case .improvement: return "🟢 improvement"
        case .withinNoise: return "🟡 within noise"
        case .noInterval: return "⚪ no interval"
        case .withinThreshold: return "✅"
        }
    }
}
