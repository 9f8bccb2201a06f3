import LabResults
import LabStats
import LabTraffic

/// "Egress gateway failover": per case how long new connections took to succeed through the standby
/// gateway after the active one was taken away, what was lost and broken meanwhile, and what leaked
/// untranslated; then how to read it. Empty when no case ran `egress-failover`.
struct EgressFailoverSection {
    let run: RunAnalysis
    typealias W = EgressFailoverWorkload

    var text: String {
        WorkloadsOfKind.names(run, kind: W.kind).map(section).filter { !$0.isEmpty }.joined(separator: "\n")
    }

    private func section(_ workload: String) -> String {
        let cases = run.cases.filter { item in item.metrics.keys.contains { $0.workload == workload } }
        guard !cases.isEmpty else { return "" }
        var table = MarkdownTable(headers: ["case", "recovered", "failover p50 ms", "failover max ms", "new connections lost",
                                            "established broken", "leaked untranslated", "standby share"],
                                  alignments: [.left] + Array(repeating: .right, count: 7))
        for item in cases {
            func values(_ info: MetricInfo) -> [Double] { item.metrics[MetricID(workload: workload, metric: info.name)]?.values ?? [] }
            func median(_ info: MetricInfo) -> String { values(info).isEmpty ? "—" : NumberText.value(Quantile.of(values(info), 0.5)) }
            func count(_ info: MetricInfo) -> String { values(info).isEmpty ? "—" : NumberText.count(Quantile.of(values(info), 0.5)) }
            let recovered = values(W.recovered)
            let failover = values(W.failoverMs)
            table.append([item.id, "\(Int(recovered.reduce(0, +))) of \(recovered.count)", median(W.failoverMs),
                          failover.max().map(NumberText.value) ?? "—", count(W.failedDuring), count(W.establishedBroken),
                          count(W.leaked), median(W.standbyShare)])
        }
        return "## Egress gateway failover (\(workload))\n\n"
            + "The active gateway's links to the nodes go down during traffic; the nodes' routes through it turn `linkdown` and "
            + "the kernel's next route, through the standby gateway, carries new connections (no controller). *Failover* runs "
            + "from the links going down to the first new connection that opened through the standby (a connection every "
            + "1/rate s); *lost* are new connections in flight or started after the failure that failed; *broken* are "
            + "long-lived connections cut because their NAT state stayed on the failed gateway; *leaked* are packets the "
            + "server saw from a pod address (libpcap on its interfaces). Medians over the counted repeats.\n\n"
            + table.text + "\n"
            + "How to read it: the route switch is the kernel's, so failover times agree across backends — except that "
            + "link_watch batches non-urgent link events to one run a second, so a failure within a second of a previous "
            + "link change is seen up to a second late. Every translating backend breaks every long-lived connection: the "
            + "standby has no mapping for them, and its egress IP differs. With `drop_invalid: false`, netfilter forwards those "
            + "connections' mid-stream packets — invalid to the standby's conntrack, so never NATed — with the pod's own "
            + "address: the leak `drop_invalid` (kube-proxy's `--ctstate INVALID -j DROP`) closes; the BPF NAT drops TCP "
            + "that neither opens nor continues a mapping. `none` never recovers here: without NAT the server's replies "
            + "keep going to the failed gateway.\n"
    }
}
