import LabResults
import LabStats
import LabTraffic

/// "Masquerade delay": per case the time from programming a new pod's egress rule to its first
/// connection through the gateway, and the backend's programming time; "not applicable" where no
/// translator was programmed (`none`), with the plain first-connect time instead. Empty when no case
/// ran `masquerade-delay`.
struct MasqueradeDelaySection {
    let run: RunAnalysis
    typealias W = MasqueradeDelayWorkload

    var text: String {
        WorkloadsOfKind.names(run, kind: W.kind).map(section).filter { !$0.isEmpty }.joined(separator: "\n")
    }

    private func section(_ workload: String) -> String {
        let cases = run.cases.filter { item in item.metrics.keys.contains { $0.workload == workload } }
        guard !cases.isEmpty else { return "" }
        var out = "## Masquerade delay (\(workload))\n\n"
        out += "A new pod address that no egress rule selects connects to the server every few milliseconds; meanwhile the rule "
            + "for it is added at every gateway. *Delay* runs from the add call to the first connection that opened (so it "
            + "includes the datapath's time to see the rule), *programming* until the call returned. Over every sample of the "
            + "counted repeats.\n\n"
        var table = MarkdownTable(headers: ["case", "samples", "delay p50 ms", "delay p90 ms", "delay max ms", "programming p50 ms",
                                            "first connect p50 ms"],
                                  alignments: [.left] + Array(repeating: .right, count: 6))
        for item in cases {
            func values(_ info: MetricInfo) -> [Double] { item.metrics[MetricID(workload: workload, metric: info.name)]?.values ?? [] }
            let delay = values(W.delay)
            let program = values(W.program)
            let first = values(W.firstConnect)
            func quantile(_ v: [Double], _ p: Double) -> String { v.isEmpty ? "—" : NumberText.value(Quantile.of(v, p)) }
            if delay.isEmpty {
                table.append([item.id, NumberText.count(Double(first.count)), "not applicable", "not applicable", "not applicable",
                              "not applicable", quantile(first, 0.5)])
            } else {
                table.append([item.id, NumberText.count(Double(delay.count)), quantile(delay, 0.5), quantile(delay, 0.9),
                              NumberText.value(delay.max()!), quantile(program, 0.5), quantile(first, 0.5)])
            }
        }
        out += table.text + "\n"
        out += "Not applicable: the case programs no SNAT (`none`), so there is no rule to wait for; its first-connect time is "
            + "the path's own connect time, the floor every delay above includes.\n"
        return out
    }
}
