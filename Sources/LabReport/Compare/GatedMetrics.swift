import LabCollectors
import LabResults
import LabTraffic

/// Which (workload, metric) pairs the A/B gate tests, assembled from where metrics are declared:
/// each workload kind's `primaryMetrics`, the collectors' `primaryMetrics` for that kind, and `PolicyMetrics.primary`
/// for the policy's own timings. Everything else is shown beside them, never gated.
public enum GatedMetrics {
    /// The workload name the runner records policy timings under.
    public static let policyWorkload = "policy"

    /// - Parameter kind: the workload's type from the scenario record (nil for "policy" or unknown).
    public static func isGated(workload: String, kind: String?, metric: String) -> Bool {
        if workload == policyWorkload { return PolicyMetrics.primary.contains { $0.name == metric } }
        guard let kind else { return false }
        if CollectorRegistry.primaryMetrics[kind, default: []].contains(where: { $0.name == metric }) { return true }
        guard let definition = WorkloadRegistry.definition(kind: kind) else { return false }
        return definition.primaryMetrics.contains { $0.name == metric }
    }
}
