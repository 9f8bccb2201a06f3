import LabResults
import LabTraffic

/// "SNAT port exhaustion": per case the ramp's steps — occupancy, attempts, failures, the measured
/// failure share beside the model's — then where and why the two differ, and how long each backend
/// took to let a new connection through after every connection was released. Empty when no case ran
/// the `snat-exhaustion` workload.
struct SNATExhaustionSection {
    let run: RunAnalysis
    typealias Curve = SNATExhaustionMetrics.Curve
    typealias M = SNATExhaustionMetrics

    var text: String {
        WorkloadsOfKind.names(run, kind: SNATExhaustionWorkload.kind).map(section).filter { !$0.isEmpty }.joined(separator: "\n")
    }

    private func section(_ workload: String) -> String {
        let cases = run.cases.compactMap { item in SNATSteps(item, workload: workload).map { (item, $0) } }
        guard !cases.isEmpty else { return "" }
        var out = "## SNAT port exhaustion (\(workload))\n\n"
        out += "Connections from many pods to one server address and port, ramped in cumulative steps to a multiple of the SNAT "
            + "port range and held open; each step's failures are connects without an answer within the connect bound (shorter "
            + "than the SYN retransmission, so a SYN the NAT dropped is not retried). *Occupancy* is the live connections / the "
            + "range when the step began; *model* is the expected failure share of the step's attempts when each new connection "
            + "tries \(SNATExhaustionShaping.modelTries) random ports, P(fail) = occupancy^\(SNATExhaustionShaping.modelTries). "
            + "Medians of the counted repeats, step by step.\n\n"
        for (item, steps) in cases {
            out += "**\(item.id)**\n\n"
            var table = MarkdownTable(headers: ["level", "occupancy", "attempted", "failed", "failed share", "model share",
                                                "alloc. failures", "retried", "tries p90"],
                                      alignments: Array(repeating: .right, count: 9))
            for k in 0..<steps.count {
                func cell(_ curve: String, _ format: (Double) -> String) -> String { steps.values(curve).map { format($0[k]) } ?? "—" }
                table.append([NumberText.value(steps.levels[k]), cell(Curve.occupancyBefore, NumberText.value),
                              cell(Curve.attempted, NumberText.count), cell(Curve.failed, NumberText.count),
                              cell(Curve.failShare, NumberText.value), cell(Curve.modelShare, NumberText.value),
                              cell(Curve.allocationFailures, NumberText.count), cell(Curve.retried, NumberText.count),
                              cell(Curve.triesP90, { "≤ " + NumberText.count($0) })])
            }
            out += table.text + "\n"
        }
        out += "A dash is a counter the case has no translator for (no SNAT installed, e.g. `none`) or that its backend does not "
            + "keep (the retry histogram is the BPF NAT's); *tries p90* is the number of tries within which 90% of the step's "
            + "allocations found a port (from the histogram's buckets: 0 kept the pod's port, 1, 2, 3–4, 5–8, … 65–128). The failure share against occupancy, beside the model, is charted "
            + "under Charts (`\(workload)-snat-fail-share`).\n\n"
        out += Self.modelReading + "\n\n"
        let readings = cases.map { reading($0.0, $0.1, workload: workload) }
        out += "What it measured:\n\n" + readings.map { "- \($0)\n" }.joined()
        return out
    }

    /// Why the measured curve and the model differ, whatever the numbers: the model's assumptions
    /// against what each allocator does.
    static let modelReading = "Where the curve and the model differ, and why: the model draws \(SNATExhaustionShaping.modelTries) "
        + "independent random ports, as Cilium's and the lab's BPF NAT do, so it stays near 0 until the range is ~95% used and "
        + "then rises steeply. netfilter instead keeps the pod's own port when it is in the range and free, and otherwise probes "
        + "*sequential* runs from a random offset (128 ports, then 64, 32 and 16 from fresh offsets; nf_nat_l4proto_unique_tuple): "
        + "with used ports scattered that finds a free port later than independent tries would fail, with used ports in runs "
        + "(sequential allocation, `--random-fully` off) it fails sooner. Any allocator fails with certainty once every port is "
        + "taken: every step past a full range fails whole, which the model's expected share also says, as it counts the ports "
        + "the step's own successes take. Released ports come back only when the tracker lets go of the closed flow: "
        + "TIME_WAIT or the close state keep the tuple, unless the allocator may reuse a closing entry (nf_nat evicts a "
        + "closing TCP entry for a new connection from the same range), which `recovery_ms` measures."

    private func reading(_ item: CaseAnalysis, _ steps: SNATSteps, workload: String) -> String {
        func metric(_ info: MetricInfo) -> Double? { item.metrics[MetricID(workload: workload, metric: info.name)]?.median }
        var parts: [String] = []
        if let shares = steps.values(Curve.failShare), let model = steps.values(Curve.modelShare),
           let occupancy = steps.values(Curve.occupancyBefore) {
            if let k = shares.firstIndex(where: { $0 > 0 }) {
                parts.append("connections first failed at occupancy \(NumberText.value(occupancy[k])) (level "
                             + "\(NumberText.value(steps.levels[k]))): \(NumberText.value(shares[k])) of the step's attempts, "
                             + "model \(NumberText.value(model[k]))")
            } else {
                parts.append("no connection failed up to level \(NumberText.value(steps.levels.last ?? 0))"
                             + (model.last.map { $0 > 0.01 ? " although the model expects \(NumberText.value($0)) at the top step: nothing limited the ports (no SNAT in the path)" : "" } ?? ""))
            }
        }
        if let held = metric(M.held) { parts.append("\(NumberText.count(held)) connections held at the top") }
        if let recovery = metric(M.recovery) {
            parts.append("a new connection got through \(NumberText.value(recovery)) ms after the release")
        } else if metric(M.recovered) == 0 {
            parts.append("no new connection got through within recovery_timeout of the release")
        }
        return "**\(item.id)**: " + parts.joined(separator: "; ") + "."
    }
}
