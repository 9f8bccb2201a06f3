import LabSystem

/// Why `compare` could not judge, each with the exit status a CI job branches on.
public enum CompareError: LabError, Equatable {
    /// The baseline file is absent or not a run record.
    case baselineMissing(path: String, detail: String)
    /// The runs cannot be compared: other scenario, other schema, or no ratio in common.
    case incompatible(String)
    /// `--metric` named metrics that neither run recorded.
    case unknownMetrics([String])
    /// `--metric` named informational metrics, which have no ratios to gate on.
    case neutralMetrics([String])
    case badThreshold(String)

    public var exitStatus: ExitStatus {
        switch self {
        case .baselineMissing: return .baselineMissing
        case .incompatible: return .baselineIncompatible
        case .unknownMetrics, .neutralMetrics, .badThreshold: return .badInput
        }
    }

    public var description: String {
        switch self {
        case .baselineMissing(let path, let detail):
            return "baseline \(path): \(detail); record one with `benchlab run` and keep its run.json (e.g. results/baseline/)"
        case .incompatible(let reason):
            return "baseline cannot be compared: \(reason)"
        case .unknownMetrics(let names):
            return "--metric \(names.joined(separator: ", ")): recorded by neither run; "
                + "the metric column of each run's summary.csv lists what was recorded"
        case .neutralMetrics(let names):
            return "--metric \(names.joined(separator: ", ")): informational (no better direction), so there is no ratio to gate on"
        case .badThreshold(let text):
            return "--threshold \(text): expected a percentage such as 5% or 2.5"
        }
    }
}

/// `compare` found at least one regression; thrown after the table is printed.
public struct RegressionFound: LabError {
    public let count: Int
    /// A/B mode judges measurements by a significance test, not ratios by interval overlap.
    public let paired: Bool
    public init(count: Int, paired: Bool = false) {
        self.count = count
        self.paired = paired
    }
    public var exitStatus: ExitStatus { .regression }
    public var description: String {
        if paired {
            return "\(count) \(count == 1 ? "measurement" : "measurements") regressed beyond the threshold, significant after the false-discovery correction"
        }
        return "\(count) \(count == 1 ? "ratio regressed" : "ratios regressed") beyond the threshold and outside the noise"
    }
}
