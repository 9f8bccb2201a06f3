import Foundation
import LabResults
import LabStats
import LabSystem

/// Which reference `compare` judged against; the output names it, since the two answer different
/// questions with different power.
public enum CompareMode: String, Codable, Sendable {
    /// Candidate against base, built from their revisions and run interleaved on this machine.
    case paired = "a/b"
    /// Within-run ratios against a committed run from another time (and maybe another machine).
    case baseline
}

/// A case the gate flagged, as the runner's options select it again for confirmation.
public struct FlaggedCase: Codable, Sendable, Equatable {
    public let id: String
    public let backend: String
    public let parameters: [String: String]
}

/// Everything A/B `compare` found; encodes as its `--json` output.
public struct PairedReport: Codable, Sendable, Equatable {
    public var mode: CompareMode = .paired
    public let scenario: String
    public let threshold: Double
    public let fdr: Double
    /// Rounds paired (the smaller side's count).
    public let rounds: Int
    public let base: MachineSummary
    public let candidate: MachineSummary
    public let changes: [PairedChange]
    public let onlyInBase: [String]
    public let onlyInCandidate: [String]
    public let flaggedCases: [FlaggedCase]

    public var gatedCount: Int { changes.filter(\.gated).count }
    public func count(_ status: PairedStatus) -> Int { changes.filter { $0.status == status }.count }

    /// Whether `rounds` can prove anything at all over this many gated measurements: BH needs the
    /// smallest p-value at q/m for a lone regression, and n rounds cannot go below 1/2^n.
    public var canFlagLoneRegression: Bool {
        SignFlipTest.smallestPValue(count: rounds) <= fdr / Double(max(gatedCount, 1))
    }

    public var exitStatus: ExitStatus { count(.regression) > 0 ? .regression : .ok }

    public var failure: RegressionFound? {
        count(.regression) > 0 ? RegressionFound(count: count(.regression), paired: true) : nil
    }
}

/// Builds the A/B report from the two sides' rounds.
public enum PairedRunComparison {
    public static func compare(base: RoundSet, candidate: RoundSet, threshold: Double, fdr: Double,
                               metrics: [String] = []) throws -> PairedReport {
        guard let first = base.runs.first, let last = candidate.runs.first else {
            throw CompareError.incompatible("a side has no run")
        }
        let names = Set((base.runs + candidate.runs).map(\.scenario.name))
        guard names.count == 1 else {
            throw CompareError.incompatible("the runs come from different scenarios: \(names.sorted().joined(separator: ", "))")
        }
        let unknown = metrics.filter { metric in !(base.keys.union(candidate.keys)).contains { $0.metric == metric } }
        guard unknown.isEmpty else { throw CompareError.unknownMetrics(unknown) }
        let wanted = { (rounds: [[MeasurementKey: Double]]) in
            metrics.isEmpty ? rounds : rounds.map { $0.filter { metrics.contains($0.key.metric) } }
        }
        let kinds = base.workloadKinds.merging(candidate.workloadKinds) { first, _ in first }
        let changes = PairedComparison(threshold: threshold, fdr: fdr)
            .judge(base: wanted(base.rounds), candidate: wanted(candidate.rounds), workloadKinds: kinds)
        guard !changes.isEmpty else {
            throw CompareError.incompatible("no measurement is in both sides' rounds (did every case fail?)")
        }
        let compared = Set(changes.map(\.key))
        let baseKeys = Set(wanted(base.rounds).flatMap(\.keys)), candidateKeys = Set(wanted(candidate.rounds).flatMap(\.keys))
        let flaggedIds = Set(changes.filter { $0.status == .regression }.map(\.key.caseId))
        let flagged = flaggedIds.sorted().compactMap { id in
            (candidate.cases[id] ?? base.cases[id]).map { FlaggedCase(id: id, backend: $0.backend, parameters: $0.parameters) }
        }
        return PairedReport(
            scenario: last.scenario.name, threshold: threshold, fdr: fdr,
            rounds: min(base.rounds.count, candidate.rounds.count),
            base: MachineSummary(first), candidate: MachineSummary(last), changes: changes,
            onlyInBase: baseKeys.subtracting(compared).sorted().map(\.label),
            onlyInCandidate: candidateKeys.subtracting(compared).sorted().map(\.label),
            flaggedCases: flagged)
    }
}
