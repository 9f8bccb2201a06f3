import LabResults

/// The A/B comparison as Markdown for a pull-request comment: the mode and the one-line verdict, the
/// two builds, the gated measurements that moved, and the rest folded away.
struct PairedMarkdown {
    let report: PairedReport

    var text: String {
        var out = "## benchlab compare: \(report.scenario)\n\n\(summary)\n\n\(mode)\n\n\(builds.text)"
        if !report.canFlagLoneRegression {
            out += "\n⚠️ \(report.rounds) rounds cannot flag a lone regression among \(report.gatedCount) gated measurements "
                + "(the smallest p-value \(report.rounds) rounds give is 1/2^\(report.rounds)); run more rounds.\n"
        }
        let moved = report.changes.filter { [.regression, .improvement, .withinNoise].contains($0.status) }
        let steady = report.changes.filter { $0.status == .withinThreshold }
        let shown = report.changes.filter { $0.status == .notGated }
        if !moved.isEmpty { out += "\n" + table(moved).text }
        out += folded("\(steady.count) gated \(steady.count == 1 ? "measurement" : "measurements") within ±\(percent)", steady)
        out += folded("\(shown.count) not gated (duplicates, counts, secondary percentiles)", shown)
        out += CompareMarkdownParts.missing("Only in the base (a case failed or left the scenario)", report.onlyInBase)
        out += CompareMarkdownParts.missing("Only in the candidate", report.onlyInCandidate)
        return out
    }

    var summary: String {
        let regressions = report.count(.regression)
        let head = regressions > 0
            ? "❌ **\(regressions) \(regressions == 1 ? "regression" : "regressions")** beyond ±\(percent), significant at FDR \(fdrText)"
            : "✅ no regression beyond ±\(percent) at FDR \(fdrText)"
        return "\(head) · \(report.gatedCount) gated of \(report.changes.count) measurements: "
            + "\(report.count(.improvement)) improved, \(report.count(.withinNoise)) within noise, "
            + "\(report.count(.withinThreshold)) within threshold."
    }

    private var mode: String {
        "Mode: **A/B** — candidate against base, both built here and run interleaved round by round on this "
            + "machine (\(report.rounds) paired rounds); change = geometric mean of candidate/base per round, "
            + "p = exact one-sided sign-flip test, Benjamini–Hochberg over the gated measurements."
    }

    private var percent: String { NumberText.percentChange(report.threshold).dropFirst().description }
    private var fdrText: String { NumberText.percentChange(report.fdr).dropFirst().description }

    private var builds: MarkdownTable { CompareMarkdownParts.machines([("base", report.base), ("candidate", report.candidate)]) }

    private func table(_ changes: [PairedChange]) -> MarkdownTable {
        var table = MarkdownTable(headers: ["", "case", "workload", "metric", "rounds", "candidate/base per round", "change", "p (BH)"],
                                  alignments: [.left, .left, .left, .left, .right, .left, .right, .right])
        for change in changes {
            let ratios = change.roundRatios.map { String(format: "%.3f", $0) }.joined(separator: " ")
            let p = (change.isHarmful ? change.pHarmAdjusted : change.pGainAdjusted).map { String(format: "%.4f", $0) } ?? "—"
            table.append([PairedMarkdown.icon(change.status), change.key.caseId, change.key.workload,
                          "\(change.key.metric) \(RatioSection.arrow(change.key.metric))", "\(change.roundRatios.count)",
                          ratios, NumberText.percentChange(change.change), p])
        }
        return table
    }

    private func folded(_ title: String, _ changes: [PairedChange]) -> String {
        guard !changes.isEmpty else { return "" }
        return "\n<details><summary>\(title)</summary>\n\n" + table(changes).text + "\n</details>\n"
    }

    static func icon(_ status: PairedStatus) -> String {
        switch status {
        case .regression: return "🔴 regression"
        case .improvement: return "🟢 improvement"
        case .withinNoise: return "🟡 within noise"
        case .withinThreshold: return "✅"
        case .notGated: return "·"
        }
    }
}
