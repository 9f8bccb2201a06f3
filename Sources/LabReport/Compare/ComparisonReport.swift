import LabSystem

/// Everything `compare` found; encodes as the `--json` output. (Not "ComparisonResult": Foundation has one.)
public struct ComparisonReport: Codable, Sendable, Equatable {
    /// Always `.baseline`: said in the output, since an A/B comparison reads differently.
    public var mode: CompareMode = .baseline
    public let scenario: String
    /// As a fraction: 0.05 for 5%.
    public let threshold: Double
    public let baseline: MachineSummary
    public let current: MachineSummary
    /// Every ratio in both runs, what needs attention first.
    public let changes: [RatioChange]
    /// Ratios one run has and the other lacks (a case failed, or the scenario changed), as
    /// "pair · workload · metric". Not gated: a failed case already fails the run that had it.
    public let onlyInBaseline: [String]
    public let onlyInCurrent: [String]

    public func count(_ status: ChangeStatus) -> Int {
        changes.filter { $0.status == status }.count
    }

    public var exitStatus: ExitStatus { count(.regression) > 0 ? .regression : .ok }

    /// The failure to throw after printing, nil when the comparison passes.
    public var failure: RegressionFound? {
        count(.regression) > 0 ? RegressionFound(count: count(.regression)) : nil
    }
}
