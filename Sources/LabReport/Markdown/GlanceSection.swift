import LabResults

/// The report read at a glance, before the long per-case tables: each workload's headline metric
/// across the sweep, and what each backend adds to the per-packet CPU cost.
struct GlanceSection {
    let run: RunAnalysis

    var text: String {
        let tables = run.workloads.compactMap { workload in
            run.headlineMetric(of: workload).map { HeadlineTable(run: run, workload: workload, metric: $0).text }
        }
        guard !tables.isEmpty else { return "" }
        var out = "## At a glance\n\nEach workload's headline metric: median (ratio to `none` at the same point) "
            + "[95% interval of the median]; ↑ higher is better, ↓ lower is better.\n"
        out += tables.map { "\n" + $0 }.joined()
        out += MarginalSection(run: run).text
        return out
    }
}

/// The marginal per-packet CPU table. The whole path costs about 7 µs of CPU per packet here while
/// a BPF filter costs about 50 ns, so the absolute figure hides the filters; the difference to `none`
/// in the same round shows them.
struct MarginalSection {
    let run: RunAnalysis

    var text: String {
        guard !run.marginals.isEmpty else { return "" }
        var out = "\n### Marginal CPU per packet\n\nA backend's per-packet CPU minus `none`'s at the same point "
            + "in the same round (cases run interleaved, so repeat k of each is one round): the median of the "
            + "per-round differences [95% bootstrap interval]. The whole path costs several µs of CPU per packet "
            + "(about 7 µs on the lab's VM) while a BPF filter itself costs about 50 ns (BPF_PROG_TEST_RUN), so the absolute figure cannot tell the efficient backends apart; "
            + "the difference to no filter can. An interval that spans 0 means the backend is within noise of no filter.\n"
        for workload in run.workloads {
            let here = run.marginals.filter { $0.metric.workload == workload }
            guard !here.isEmpty else { continue }
            let hasPoint = !run.parameterNames.isEmpty
            var table = MarkdownTable(headers: ["backend"] + (hasPoint ? ["point"] : []) + ["metric", "marginal", "rounds", "none (absolute)"],
                                      alignments: [.left] + (hasPoint ? [.left] : []) + [.left, .right, .right, .right])
            for cost in here {
                let unit = cost.metric.info.unit.isEmpty ? "" : " \(cost.metric.info.unit)"
                table.append([cost.backend] + (hasPoint ? [run.pointLabel(cost.parameters)] : [])
                             + [cost.metric.metric, NumberText.withInterval(cost.value, cost.interval) + unit
                                + (cost.interval == nil ? " (n=\(cost.rounds))" : ""),
                                "\(cost.rounds)", NumberText.value(cost.baselineMedian) + unit])
            }
            out += "\n#### \(workload)\n\n" + table.text
        }
        return out
    }
}
