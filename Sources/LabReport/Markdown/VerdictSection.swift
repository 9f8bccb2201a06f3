import LabResults
import LabStats

/// The report's opening paragraph: at the hardest point of the sweep, what won each workload's headline
/// metric, by how much, and how sure we are — every number with its 95% interval.
struct VerdictSection {
    /// The metric a workload is judged by, first match wins.
    static let headlinePriority = [
        "throughput_gbps", "pps_handled", "pps", "cps", "latency_p99_us", "latency_p50_us", "connect_p50_us",
        "snat_fail_ratio", "masquerade_delay_ms", "failover_ms",
        "install_ms", "update_ms", "cpu_ns_per_pkt",
    ]

    let run: RunAnalysis

    var text: String {
        "## Verdict\n\n" + sentences.joined(separator: " ") + "\n"
    }

    /// The point every sentence speaks about: the last point of the sweep, which in benchlab's
    /// scenarios is the largest (rules 1 → 10000) and the one where the technologies differ most.
    private var point: [String: String] { run.record.cases.last?.parameters ?? [:] }

    private var sentences: [String] {
        let atPoint = run.cases.filter { $0.record.parameters == point }
        var result = run.workloads.compactMap { workload in
            WorkloadVerdict(run: run, workload: workload, cases: atPoint).sentence
        }.enumerated().map { index, sentence in (index == 0 ? opening : "On ") + sentence + "." }
        if result.isEmpty { result.append("No case produced numbers, so there is nothing to compare; see the failed cases below.") }
        result += notRun
        result += issues.map { [$0] } ?? []
        return result
    }

    private var opening: String {
        let label = run.pointLabel(point)
        return label.isEmpty ? "On " : "At \(label), on "
    }

    /// Cases at the verdict point that have no numbers, so their absence is not mistaken for a loss.
    private var notRun: [String] {
        run.record.cases.filter { $0.parameters == point && $0.status != .ok }.map { item in
            "\(item.backend) \(item.status == .failed ? "failed" : "was skipped") at this point (\(item.reason ?? "no reason recorded"))."
        }
    }

    private var issues: String? {
        let failed = run.record.cases.filter { $0.status == .failed }.count
        let skipped = run.record.cases.filter { $0.status == .skipped }.count
        let mismatched = run.record.cases.filter { $0.equivalence.map { !$0.passed } ?? false }.count
        let noisy = run.cases.reduce(0) { $0 + $1.metrics.values.filter(\.isNoisy).count }
        var parts: [String] = []
        if run.record.status != .complete { parts.append("the run did not complete (status \(run.record.status.rawValue))") }
        if failed > 0 { parts.append("\(EnglishList.count(failed, "case")) failed") }
        if mismatched > 0 { parts.append("\(EnglishList.count(mismatched, "case")) failed the equivalence check") }
        if skipped > 0 { parts.append("\(EnglishList.count(skipped, "case")) \(skipped == 1 ? "was" : "were") skipped") }
        if noisy > 0 { parts.append("\(EnglishList.count(noisy, "measurement")) \(noisy == 1 ? "is" : "are") noisy (CV > 10%)") }
        guard !parts.isEmpty else { return nil }
        return "Across the run, " + EnglishList.join(parts) + "; details below."
    }
}

/// One workload's sentence in the verdict.
private struct WorkloadVerdict {
    let run: RunAnalysis
    let workload: String
    /// The cases at the verdict point.
    let cases: [CaseAnalysis]

    var sentence: String? {
        guard let metric = headline else { return nil }
        let id = MetricID(workload: workload, metric: metric)
        let ranked = rank(id)
        let baseline = cases.first { $0.family == .baseline }?.metrics[id]
        guard let winner = ranked.first else {
            // Only the baseline ran (e.g. ci-smoke): say what the bare path does, so the paragraph
            // still reports the run's numbers rather than claiming there are none.
            guard let baseline else { return nil }
            let unit = id.info.unit.isEmpty ? "" : " \(id.info.unit)"
            return "\(workload), the no-filter baseline measured \(id.metric) \(NumberText.withInterval(baseline.median, baseline.interval))\(unit) (no filtering backend ran)"
        }
        // A baseline of 0 (no SNAT port ever fails without SNAT) has no ratio: give the values instead.
        let standing = baseline.flatMap { $0.median != 0 ? relative(ranked, id, to: $0) : nil } ?? absolute(ranked, id)
        return "\(workload), " + standing + margin(winner, over: ranked.dropFirst(), id) + marginal
    }

    /// "; the lowest marginal cpu_ns_per_pkt is tc's, 48.0 [31.0, 70.0] ns over none's 7012 ns in the
    /// same rounds". Absolute per-packet CPU is mostly the path every backend shares, so the
    /// efficient backends are told apart by what they add, not by the total.
    private var marginal: String {
        let here = Set(cases.map(\.id))
        return MarginalMetrics.names.compactMap { metric -> String? in
            let costs = run.marginals.filter { here.contains($0.caseId) && $0.metric == MetricID(workload: workload, metric: metric) }
            guard let best = costs.enumerated().min(by: { ($0.element.value, $0.offset) < ($1.element.value, $1.offset) })?.element
            else { return nil }
            let unit = best.metric.info.unit.isEmpty ? "" : " \(best.metric.info.unit)"
            return "; the lowest marginal \(metric) (minus none's in the same round) is \(best.backend)'s, "
                + "\(NumberText.withInterval(best.value, best.interval))\(unit) over none's \(NumberText.value(best.baselineMedian))\(unit)"
                // On a noisy run every difference can straddle zero: then the ranking is not a finding.
                + (best.interval.map { $0.contains(0) ? ", within noise of no filter" : "" } ?? ", too few rounds for an interval")
        }.joined()
    }

    private var headline: String? { run.headlineMetric(of: workload) }

    /// Filtering backends that measured `id`, best first (ties keep run.json order).
    private func rank(_ id: MetricID) -> [CaseAnalysis] {
        let measured = cases.filter { $0.family != .baseline && $0.metrics[id] != nil }
        let higher = id.info.direction == .higherIsBetter
        return measured.enumerated().sorted { a, b in
            let (x, y) = (a.element.metrics[id]!.median, b.element.metrics[id]!.median)
            return x == y ? a.offset < b.offset : (higher ? x > y : x < y)
        }.map(\.element)
    }

    /// "tc keeps 0.97× [0.95, 0.99] of the no-filter throughput_gbps, xdp 0.96× […], and …".
    private func relative(_ ranked: [CaseAnalysis], _ id: MetricID, to baseline: MetricStatistics) -> String {
        let parts = ranked.enumerated().map { index, item -> String in
            let stats = item.metrics[id]!
            let interval = StatisticsPolicy.bootstrap(label: "verdict|\(item.id)|\(id)")
                .ratioOfMediansInterval(numerator: stats.values, denominator: baseline.values)
            let ratio = NumberText.ratioWithInterval(stats.median / baseline.median, interval)
            guard id.info.direction == .higherIsBetter else {
                return index == 0 ? "\(item.backend) takes \(ratio) the no-filter \(id.metric)" : "\(item.backend) \(ratio)"
            }
            return index == 0 ? "\(item.backend) keeps \(ratio) of the no-filter \(id.metric)" : "\(item.backend) \(ratio)"
        }
        return EnglishList.join(parts)
    }

    /// Without a no-filter case (e.g. install time): "install_ms is 2.10 [1.98, 2.20] ms with tc, …".
    private func absolute(_ ranked: [CaseAnalysis], _ id: MetricID) -> String {
        // A dimensionless share reads as a bare number ("snat_fail_ratio is 0.897"), not "0.897 ratio".
        let unit = id.info.unit.isEmpty || ["ratio", "share"].contains(id.info.unit) ? "" : " \(id.info.unit)"
        let parts = ranked.map { item in
            let stats = item.metrics[id]!
            return "\(NumberText.withInterval(stats.median, stats.interval))\(unit) with \(item.backend)"
        }
        return "\(id.metric) is " + EnglishList.join(parts)
    }

    /// "; tc wins, at 2.37× [2.21, 2.52] the throughput_gbps of iptables-legacy, the best netfilter backend".
    /// The best of the other technology is the comparison that matters; within a family, the next best.
    private func margin(_ winner: CaseAnalysis, over rest: ArraySlice<CaseAnalysis>, _ id: MetricID) -> String {
        let family = winner.family
        let rivals = rest.filter { $0.family.map { $0 != family } ?? false }
        guard let other = rivals.first ?? rest.first else { return "" }
        let (top, bottom) = (winner.metrics[id]!, other.metrics[id]!)
        guard bottom.median != 0 else { return "" }
        let interval = StatisticsPolicy.bootstrap(label: "verdict-margin|\(winner.id)|\(other.id)|\(id)")
            .ratioOfMediansInterval(numerator: top.values, denominator: bottom.values)
        let ratio = NumberText.ratioWithInterval(top.median / bottom.median, interval)
        let role = rivals.isEmpty ? "the next best" : "the \(rivals.count == 1 ? "only" : "best") "
            + "\(other.family == .ebpf ? "eBPF" : "netfilter") backend measured here"
        guard let interval else {
            return "; \(winner.backend) leads, at \(ratio) the \(id.metric) of \(other.backend), \(role), "
                + "but with too few repeats for an interval this may be noise"
        }
        if interval.contains(1) {
            return "; \(winner.backend) and \(other.backend) (\(role)) are within noise of each other (\(ratio))"
        }
        return "; \(winner.backend) wins, at \(ratio) the \(id.metric) of \(other.backend), \(role)"
    }
}

enum EnglishList {
    /// "1 case", "3 cases".
    static func count(_ n: Int, _ noun: String) -> String {
        "\(n) \(noun)\(n == 1 ? "" : "s")"
    }

    /// "a", "a and b", "a, b, and c".
    static func join(_ items: [String]) -> String {
        switch items.count {
        case 0: return ""
        case 1: return items[0]
        case 2: return "\(items[0]) and \(items[1])"
        default: return items.dropLast().joined(separator: ", ") + ", and " + items.last!
        }
    }
}
