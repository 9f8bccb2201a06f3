import LabResults
import LabStats

/// "Good traffic under a flood": for each `flood-goodput` workload, per backend, the transactions per
/// second without a flood, at the strongest flood, and the flood rate at which they fell to half (the
/// XDP paper's DDoS test) — interpolated linearly between the two measured steps around it.
struct FloodGoodputSection {
    let run: RunAnalysis
    static let kind = "flood-goodput"

    var text: String {
        let workloads = run.workloads.filter { run.workloadRecord($0)?.kind == Self.kind }
        guard !workloads.isEmpty, let axis = SweepAxis(analysis: run) else { return "" }
        var out = "## Good traffic under a flood\n\n"
        out += "Request/response transactions (UDP, one in flight) from an allowed source while a flood from denied sources "
            + "runs at the swept level (`\(axis.name)`: packets per second, or a share of the generator's ceiling). The flood's "
            + "receive processing and the good traffic share one receive CPU, as they would behind a NIC's RSS (see the "
            + "workload's settings). The flood is open loop: what the full receive queue refuses is lost, as at a NIC's ring, "
            + "and a good request lost there costs its client a 200 ms timeout. *Half-rate flood* is the offered flood rate at "
            + "which transactions per second fell to half of the no-flood rate, interpolated between the two steps around it; "
            + "the higher, the better the backend shields good traffic.\n\n"
        for workload in workloads {
            if let settings = run.workloadRecord(workload)?.settings {
                // The flood level differs per variant; the record holds the first variant's.
                let shared = settings.split(separator: " ").filter { !$0.hasPrefix("flood_share=") && !$0.hasPrefix("flood_rate=") }
                out += "`\(workload)`: \(shared.joined(separator: " "))\n\n"
            }
            if let ceiling = ceiling(workload) {
                out += "The generator's ceiling in this run (an unpaced flood to a MAC no interface claims, measured in `none`'s "
                    + "cases): \(NumberText.count(ceiling.rounded())) packets/s.\n\n"
            }
            // Swept as a share, the half-rate point is given as a share too; swept in packets/s, that
            // column would repeat the one before it.
            let byShare = run.workloadRecord(workload)?.settings.hasPrefix("flood_share=") ?? false
            var headers = ["backend", "tps, no flood", "tps, strongest flood", "half-rate flood (pps)"]
            if byShare { headers.append("half-rate flood (\(axis.name))") }
            headers.append("p99 µs, strongest flood")
            var table = MarkdownTable(headers: headers, alignments: [.left] + Array(repeating: .right, count: headers.count - 1))
            for curve in curves(workload, axis: axis) {
                var row = curve.row
                if !byShare { row.remove(at: 4) }
                table.append(row)
            }
            out += table.text + "\n"
        }
        return out
    }

    /// One backend's steps, by flood share.
    struct Curve {
        struct Step {
            let share: Double
            let floodPPS: Double?
            let tps: Double
            let p99: Double?
        }
        let backend: String
        let steps: [Step]

        /// Where tps first falls below half its no-flood value: (share, flood pps) by linear interpolation
        /// between the steps around it; nil when it never does (or there is no flood-free step).
        var halfRate: (share: Double, pps: Double?)? {
            guard let start = steps.first, start.share == 0 else { return nil }
            let half = start.tps / 2
            for (before, after) in zip(steps, steps.dropFirst()) where after.tps < half {
                let t = before.tps == after.tps ? 0 : (before.tps - half) / (before.tps - after.tps)
                let share = before.share + t * (after.share - before.share)
                let pps = before.floodPPS.flatMap { a in after.floodPPS.map { b in a + t * (b - a) } }
                return (share, pps)
            }
            return nil
        }

        var row: [String] {
            guard let first = steps.first, let last = steps.last else { return [backend, "—", "—", "—", "—", "—"] }
            let strongest = "\(NumberText.count(last.tps.rounded())) (\(NumberText.ratio(first.tps > 0 ? last.tps / first.tps : 0)))"
            let half: (String, String)
            if let point = halfRate {
                half = (point.pps.map { NumberText.count($0.rounded()) } ?? "—", NumberText.value(point.share))
            } else {
                let top = last.floodPPS.map { "> \(NumberText.count($0.rounded()))" } ?? "—"
                half = (first.share == 0 ? top : "—", first.share == 0 ? "> \(NumberText.value(last.share))" : "—")
            }
            return [backend, first.share == 0 ? NumberText.count(first.tps.rounded()) : "—", strongest, half.0, half.1,
                    last.p99.map(NumberText.value) ?? "—"]
        }
    }

    /// `none`'s median generator ceiling over its cases with a flood.
    private func ceiling(_ workload: String) -> Double? {
        let values = run.cases.filter { $0.family == .baseline }
            .compactMap { $0.metrics[MetricID(workload: workload, metric: "generator_ceiling_pps")]?.median }
        return values.isEmpty ? nil : Quantile.median(values)
    }

    func curves(_ workload: String, axis: SweepAxis) -> [Curve] {
        var order: [String] = []
        var steps: [String: [Curve.Step]] = [:]
        for item in run.cases {
            func median(_ metric: String) -> Double? { item.metrics[MetricID(workload: workload, metric: metric)]?.median }
            guard let share = axis.x(of: item), let tps = median("tps") else { continue }
            if steps[item.backend] == nil { order.append(item.backend) }
            steps[item.backend, default: []].append(Curve.Step(share: share, floodPPS: median("flood_pps_offered"), tps: tps,
                                                               p99: median("rr_p99_us")))
        }
        return order.map { Curve(backend: $0, steps: steps[$0]!.sorted { $0.share < $1.share }) }
    }
}
