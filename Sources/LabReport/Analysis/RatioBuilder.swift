import LabResults
import LabStats

/// Builds the within-run ratios: each case against `none` at the same parameter point, and each eBPF
/// case against each netfilter case at the same point. Only directional metrics get ratios: a ratio of
/// counters such as rx_packets says nothing about better or worse.
struct RatioBuilder {
    let cases: [CaseAnalysis]
    /// Every metric in report order (workloads in scenario order, metrics in catalog order), so the
    /// ratios come out in the order a reader meets them.
    let metricOrder: [MetricID]

    func ratios() -> [CaseRatio] {
        var result: [CaseRatio] = []
        for subject in cases {
            for reference in references(of: subject) {
                result += ratios(of: subject, to: reference)
            }
        }
        return result
    }

    /// The cases `subject` is divided by, in run.json order: none first, then netfilter for eBPF.
    private func references(of subject: CaseAnalysis) -> [(RatioKind, CaseAnalysis)] {
        guard let family = subject.family, family != .baseline else { return [] }
        let samePoint = cases.filter { $0.record.parameters == subject.record.parameters }
        var references = samePoint.filter { $0.family == .baseline }.map { (RatioKind.toNone, $0) }
        if family == .ebpf {
            references += samePoint.filter { $0.family == .netfilter }
                .map { (RatioKind.ebpfOverNetfilter, $0) }
        }
        return references
    }

    private func ratios(of subject: CaseAnalysis, to reference: (RatioKind, CaseAnalysis)) -> [CaseRatio] {
        let (kind, base) = reference
        return metricOrder.compactMap { id -> CaseRatio? in
            guard id.info.direction != .neutral,
                  let top = subject.metrics[id], let bottom = base.metrics[id], bottom.median != 0 else { return nil }
            let key = RatioKey(subject: subject.id, reference: base.id, workload: id.workload, metric: id.metric)
            let bootstrap = StatisticsPolicy.bootstrap(label: "ratio|\(key.pair)|\(id.workload)|\(id.metric)")
            return CaseRatio(kind: kind, key: key, subjectBackend: subject.backend, referenceBackend: base.backend,
                             parameters: subject.record.parameters, value: top.median / bottom.median,
                             interval: bootstrap.ratioOfMediansInterval(numerator: top.values, denominator: bottom.values),
                             count: min(top.count, bottom.count))
        }
    }
}
