import LabCollectors
import LabResults

/// On a shared virtual machine the hypervisor can take CPU time the lab's traffic wanted (steal):
/// a measurement taken then says as much about the neighbours as about the filter. A case's numbers
/// for a workload are flagged when any counted repeat of that workload saw more than
/// `StealCollector.flagThreshold` of its CPU ticks stolen (one bad repeat already moves a median of three).
enum StealFlag {
    static let marker = "⚑"
    static let legend = "\(marker) marks a measurement taken while the hypervisor stole more than "
        + "\(Int(StealCollector.flagThreshold * 100))% of the CPU time (steal_share).\n"

    static func isFlagged(_ item: CaseAnalysis, workload: String) -> Bool {
        guard let steal = item.metrics[MetricID(workload: workload, metric: StealCollector.stealShare.name)] else { return false }
        return (steal.values.max() ?? 0) > StealCollector.flagThreshold
    }

    /// Whether any table of the report carries the marker (its legend is printed only then).
    static func anyFlagged(_ run: RunAnalysis) -> Bool {
        run.cases.contains { item in run.workloads.contains { isFlagged(item, workload: $0) } }
    }
}
