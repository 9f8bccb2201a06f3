import Foundation
import LabResults
import LabStats

/// One number of one round: a case's metric under one workload.
public struct MeasurementKey: Hashable, Codable, Sendable, Comparable {
    public let caseId: String
    public let workload: String
    public let metric: String

    public init(caseId: String, workload: String, metric: String) {
        self.caseId = caseId
        self.workload = workload
        self.metric = metric
    }

    public static func < (a: MeasurementKey, b: MeasurementKey) -> Bool {
        (a.caseId, a.workload, a.metric) < (b.caseId, b.workload, b.metric)
    }

    public var label: String { "\(caseId) · \(workload) · \(metric)" }
}

/// One side of an A/B comparison as rounds: round k holds every case's k-th counted repeat. Read
/// from one run (its repeats are its rounds) or from several (one per round, as scripts/ci-ab
/// writes them), in path order, so round k of the base pairs with round k of the candidate.
public struct RoundSet: Sendable {
    public let runs: [RunRecord]
    public var rounds: [[MeasurementKey: Double]]
    /// Workload name → its kind (type), from the scenario records.
    public let workloadKinds: [String: String]
    /// Case id → (backend, parameters), for restricting a confirmation run to the flagged cases.
    public let cases: [String: CaseRecord]

    public init(runs: [RunRecord]) {
        self.runs = runs
        var rounds: [[MeasurementKey: Double]] = []
        var kinds: [String: String] = [:]
        var cases: [String: CaseRecord] = [:]
        for run in runs {
            for workload in run.scenario.workloads { kinds[workload.name] = workload.kind }
            var runRounds: [[MeasurementKey: Double]] = []
            // A case that failed (equivalence, set-up) measured something else: its numbers stay out.
            for record in run.cases where record.status == .ok {
                cases[record.id] = record
                let counted = record.repeats.filter { !$0.warmup && $0.failure == nil }
                for (k, round) in counted.enumerated() {
                    if runRounds.count <= k { runRounds.append([:]) }
                    let grouped = Dictionary(grouping: round.samples) { MeasurementKey(caseId: record.id, workload: $0.workload, metric: $0.metric) }
                    for (key, samples) in grouped { runRounds[k][key] = Quantile.median(samples.map(\.value)) }
                }
            }
            rounds += runRounds
        }
        self.rounds = rounds
        workloadKinds = kinds
        self.cases = cases
    }

    public var keys: Set<MeasurementKey> { Set(rounds.flatMap(\.keys)) }

    /// Reads `path`: a run.json, a run directory, or a directory holding run directories at any depth.
    public static func load(_ path: String) throws -> RoundSet {
        RoundSet(runs: try runFiles(under: path).map { try RunRecordCoding.load(path: $0) })
    }

    static func runFiles(under path: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw RunRecordError.missing(path: path)
        }
        let direct = (path as NSString).appendingPathComponent("run.json")
        if !isDirectory.boolValue || FileManager.default.fileExists(atPath: direct) { return [path] }
        let found = (FileManager.default.enumerator(atPath: path)?.allObjects as? [String] ?? [])
            .filter { ($0 as NSString).lastPathComponent == "run.json" }
            .sorted()
            .map { (path as NSString).appendingPathComponent($0) }
        guard !found.isEmpty else { throw RunRecordError.missing(path: direct) }
        return found
    }
}
