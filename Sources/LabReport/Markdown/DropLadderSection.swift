import LabResults

/// "Where the flood is dropped": the drop-point ladder (Cloudflare's "how to drop 10 million packets")
/// per parameter point — every backend's rung ordered by what one dropped packet costs the receiving
/// CPU, with the drop rate, the receive CPU's softirq share and load, and whether conntrack entries
/// were left behind — then what the numbers say: which side was the limit (the receive CPU or the
/// generator), and the ladder's order against the expected one.
///
/// Shown for a packet-rate workload whose whole flood the policy denies (`denied_share: 1`): only
/// then is every packet a drop and the per-packet cost a cost per dropped packet.
struct DropLadderSection {
    let run: RunAnalysis

    /// The receive CPU is the limit when it was busy at least this share of the window.
    static let saturated = 0.9
    /// A rung that took this share of an open-loop flood was limited by the generator.
    static let generatorBound = 0.95

    var text: String {
        let workloads = run.workloads.filter(isLadder)
        guard !workloads.isEmpty else { return "" }
        var out = "## Where the flood is dropped\n\n"
        out += "Every packet of the flood comes from a source the policy denies, so each rung's cost per packet is its cost per "
            + "dropped packet. `none` is the application rung: no filter, the sink's socket reads and discards every packet. "
            + "The rungs are ordered by the receiving CPU's busy time per packet (softirq + system + user on the receive CPU; "
            + "the flood runs on another one). Dropped/s counts the filter's own drop counter (for `none`, what the socket read). "
            + "*Program ns/run* is the eBPF program's own run time (kernel.bpf_stats_enabled): the rest of an eBPF rung's cost is the "
            + "path around it. On veth, XDP sees a packet only after the driver has copied it into a fresh page (a locally sent "
            + "packet's head is not a page fragment and lacks XDP's headroom) and handed it to a NAPI poll, so XDP pays an "
            + "allocation and a copy per packet that a NIC driver's XDP does not, and tc, which reads the packet in place, can come out ahead.\n\n"
        for workload in workloads {
            for point in points(of: workload) {
                out += ladder(workload, at: point)
            }
        }
        return out
    }

    private func isLadder(_ workload: String) -> Bool {
        guard let record = run.workloadRecord(workload), record.kind == "packet-rate" else { return false }
        return record.settings.split(separator: " ").contains("denied_share=1")
    }

    /// The run's parameter points at which some case measured `workload`.
    private func points(of workload: String) -> [[String: String]] {
        run.points.filter { point in
            run.cases.contains { $0.record.parameters == point && $0.metrics.keys.contains { $0.workload == workload } }
        }
    }

    private struct Rung {
        let item: CaseAnalysis
        let cost: MetricStatistics?
        let costMetric: String
    }

    private func ladder(_ workload: String, at point: [String: String]) -> String {
        func stats(_ item: CaseAnalysis, _ metric: String) -> MetricStatistics? { item.metrics[MetricID(workload: workload, metric: metric)] }
        let cases = run.cases.filter { $0.record.parameters == point && stats($0, "pps_sent") != nil }
        let costMetric = cases.contains { stats($0, "rx_cpu_ns_per_pkt") != nil } ? "rx_cpu_ns_per_pkt" : "cpu_ns_per_pkt"
        let rungs = cases.map { Rung(item: $0, cost: stats($0, costMetric), costMetric: costMetric) }
            .sorted { ($0.cost?.median ?? .infinity) < ($1.cost?.median ?? .infinity) }
        let label = run.pointLabel(point)
        var out = "### \(workload)\(label.isEmpty ? "" : " at \(label)")\n\n"
        var table = MarkdownTable(headers: ["rung", "backend", "drop point", "dropped/s", costMetric == "rx_cpu_ns_per_pkt" ? "receive CPU ns/pkt" : "CPU ns/pkt (all CPUs)",
                                            "program ns/run", "softirq share", "receive CPU busy", "conntrack entries added"],
                                  alignments: [.right, .left, .left, .right, .right, .right, .right, .right, .right])
        for (index, rung) in rungs.enumerated() {
            let item = rung.item
            let dropped = stats(item, item.family == .baseline ? "pps" : "pps_dropped")
            func cell(_ metric: String, _ format: (Double) -> String = NumberText.value) -> String {
                stats(item, metric).map { format($0.median) } ?? "—"
            }
            table.append(["\(index + 1)", item.backend, run.record.environment.gates["\(item.backend).drop_point"] ?? "—",
                          dropped.map { NumberText.withInterval($0.median, $0.interval, format: Self.whole) } ?? "—",
                          rung.cost.map { NumberText.withInterval($0.median, $0.interval) } ?? "—",
                          item.metrics[MetricID(workload: "policy", metric: "bpf_ns_per_run")].map { NumberText.value($0.median) } ?? "—",
                          cell("rx_softirq_share", Self.percent), cell("rx_busy_ratio", Self.percent), cell("ct_entries_added", NumberText.count)])
        }
        out += table.text + "\n"
        let readings = self.readings(rungs, workload: workload, stats: stats)
        if !readings.isEmpty { out += readings.map { "- \($0)\n" }.joined() + "\n" }
        return out
    }

    private func readings(_ rungs: [Rung], workload: String, stats: (CaseAnalysis, String) -> MetricStatistics?) -> [String] {
        var lines: [String] = []
        lines += generatorReadings(rungs, stats: stats)
        let ranked = rungs.filter { $0.cost != nil }
        if let cheapest = ranked.first, let dearest = ranked.last, ranked.count > 1 {
            lines.append("Cheapest per dropped packet: `\(cheapest.item.backend)` (\(NumberText.value(cheapest.cost!.median)) ns); most expensive: "
                         + "`\(dearest.item.backend)` (\(NumberText.value(dearest.cost!.median)) ns). The expected order puts XDP first and the "
                         + "application last\(expectedOrderNote(ranked)).")
        }
        lines += conntrackReading(ranked)
        if let xdp = ranked.first(where: { $0.item.backend == "xdp" }), let filter = ranked.first(where: { $0.item.backend == "iptables-legacy" }) {
            let ratio = xdp.cost!.median / filter.cost!.median
            lines.append("XDP against iptables `filter`: \(NumberText.ratio(ratio)) of its CPU per dropped packet (target ≤ 0.33×: "
                         + "\(ratio <= 1.0 / 3 ? "met" : "not met") here).")
        }
        return lines
    }

    /// Who limited each rung. With the receive path on its own CPU a full receive backlog makes the
    /// flood's send fail and retry (AF_PACKET with qdisc bypass returns the drop), so a rung is sent
    /// what its receive CPU accepts: dropped/s is the rung's capacity while that CPU is saturated, and
    /// the generator's ceiling only shows where the receive CPU had time to spare.
    private func generatorReadings(_ rungs: [Rung], stats: (CaseAnalysis, String) -> MetricStatistics?) -> [String] {
        let sent = rungs.compactMap { rung in stats(rung.item, "pps_sent").map { (rung.item.backend, $0.median) } }
        guard let fastest = sent.max(by: { $0.1 < $1.1 }) else { return [] }
        if let open = openLoopReading(rungs, stats: stats) { return [open] + applicationReading(rungs, stats: stats) }
        let spare = rungs.filter { stats($0.item, "rx_busy_ratio").map { $0.median < Self.saturated } ?? false }.map(\.item.backend)
        var lines: [String] = []
        if spare.isEmpty {
            lines.append("The generator was never the limit: every rung kept its receive CPU busy \(Self.percent(Self.saturated)) or more "
                         + "of the time, so each dropped/s is what one CPU drops at that point (a full receive backlog makes the flood's "
                         + "send fail and retry, so a rung is sent what it accepts). The flood reached \(Self.whole(fastest.1)) packets/s "
                         + "(`\(fastest.0)`), a lower bound of the generator's ceiling.")
        } else {
            let ceiling = sent.filter { spare.contains($0.0) }.map(\.1).max() ?? fastest.1
            lines.append("The generator was the limit for \(EnglishList.join(spare.map(inlineCode))) (receive CPU busy below "
                         + "\(Self.percent(Self.saturated))): the flood sent at most \(Self.whole(ceiling)) packets/s there, so compare these "
                         + "rungs by CPU per packet, not by dropped/s. Elsewhere dropped/s is what one CPU drops at that point.")
        }
        return lines + applicationReading(rungs, stats: stats)
    }

    private func applicationReading(_ rungs: [Rung], stats: (CaseAnalysis, String) -> MetricStatistics?) -> [String] {
        guard let application = rungs.first(where: { $0.item.family == .baseline }), let rate = stats(application.item, "pps") else { return [] }
        var line = "`none`'s \(Self.whole(rate.median)) packets/s is what the application rung takes (the whole stack, "
            + "conntrack where it runs, and a socket read), not the generator's ceiling."
        if let sent = stats(application.item, "pps_sent"), sent.median > 1.5 * rate.median {
            line += " The receive CPU carried \(Self.whole(sent.median)) packets/s up to the socket, which dropped all but those "
                + "for want of buffer: the application, sharing the CPU with the stack, falls behind first (receive livelock), "
                + "so its CPU per packet counts every packet that reached the socket."
        }
        return [line]
    }

    /// An open-loop flood (`open_loop: true`) keeps its pace whatever the rung takes: what it offered
    /// is the generator's ceiling, and a rung that dropped nearly all of it was held back by the
    /// generator rather than by its own cost.
    private func openLoopReading(_ rungs: [Rung], stats: (CaseAnalysis, String) -> MetricStatistics?) -> String? {
        let offered = rungs.compactMap { rung in stats(rung.item, "pps_offered").map { (rung.item, $0.median) } }
        guard !offered.isEmpty else { return nil }
        let ceiling = offered.first { $0.0.family == .baseline } ?? offered.max { $0.1 < $1.1 }!
        let low = offered.map(\.1).min()!, high = offered.map(\.1).max()!
        let held = offered.filter { item, rate in
            let took = item.family == .baseline ? stats(item, "pps") : stats(item, "pps_dropped")
            return took.map { $0.median >= Self.generatorBound * rate } ?? false
        }.map { inlineCode($0.0.backend) }
        var text = "The flood ran open loop and offered \(Self.whole(ceiling.1)) packets/s (`\(ceiling.0.backend)`; "
            + "\(Self.whole(low))–\(Self.whole(high)) across rungs): the generator's ceiling in this run. Each rung dropped what its "
            + "receive CPU took of that; the full receive queue refused the rest at the sender, as a NIC's ring would."
        text += held.isEmpty
            ? " No rung kept up with the whole flood, so each dropped/s is that rung's capacity on one CPU."
            : " \(EnglishList.join(held)) took \(Self.percent(Self.generatorBound)) or more of what was offered: the generator, "
                + "not the rung, set their dropped/s, so compare them by CPU per packet."
        return text
    }

    /// What skipping conntrack and dropping before it saved, from the three iptables rungs that
    /// differ only in that: filter INPUT (conntrack on), filter INPUT with raw NOTRACK, raw PREROUTING.
    private func conntrackReading(_ ranked: [Rung]) -> [String] {
        func cost(_ backend: String) -> Double? { ranked.first { $0.item.backend == backend }?.cost?.median }
        guard let filter = cost("iptables-legacy"), let notrack = cost("iptables-notrack") else { return [] }
        var line = "Skipping conntrack (raw NOTRACK) changed the cost of a drop in filter INPUT by "
            + "\(NumberText.value(notrack - filter)) ns (\(NumberText.percentChange((notrack - filter) / filter))): with conntrack on, "
            + "each packet dropped after it first gets an entry allocated and freed, never confirmed (so no entry is left)."
        if let raw = cost("iptables-raw") {
            line += " Dropping in raw PREROUTING, before conntrack and routing, changed it by a further "
                + "\(NumberText.value(raw - notrack)) ns (\(NumberText.percentChange((raw - notrack) / notrack)))."
        }
        return [line]
    }

    /// "" when the measured order agrees at both ends, else what differs.
    private func expectedOrderNote(_ ranked: [Rung]) -> String {
        var notes: [String] = []
        if let first = ranked.first, first.item.backend != "xdp", ranked.contains(where: { $0.item.backend == "xdp" }) {
            notes.append("here `\(first.item.backend)` beat XDP")
        }
        if let last = ranked.last, last.item.family != .baseline, ranked.contains(where: { $0.item.family == .baseline }) {
            notes.append("here `\(last.item.backend)` cost more than the application")
        }
        return notes.isEmpty ? "; this run agrees" : "; " + notes.joined(separator: ", and ")
    }

    static func whole(_ x: Double) -> String { NumberText.count(x.rounded()) }

    static func percent(_ x: Double) -> String { String(format: "%.0f%%", x * 100) }
}
