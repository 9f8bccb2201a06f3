import Foundation
import LabResults
import LabSystem

/// What `benchlab calibrate` was asked.
public struct CalibrationRequest: Sendable, Equatable {
    /// Runs of ONE build: run.json files, run directories, or directories of them (e.g. both sides of
    /// an A/B job on an unchanged candidate).
    public var paths: [String]
    /// Rounds on each side of a pseudo job; nil for as many as the recorded rounds allow (half).
    public var roundsPerSide: Int?
    public var splits: Int
    /// Injected harm, as a fraction: 0.15 makes a higher-is-better number 15% lower, a lower-is-better one 15% higher.
    public var slowdown: Double
    /// Inject only into this backend's cases; nil for every backend in turn.
    public var backend: String?
    public var threshold: Double
    public var fdr: Double
    public var seed: UInt64

    public init(paths: [String], roundsPerSide: Int? = nil, splits: Int = 200, slowdown: Double = 0.15, backend: String? = nil,
                threshold: Double = 0.05, fdr: Double = 0.05, seed: UInt64 = 2544) {
        self.paths = paths
        self.roundsPerSide = roundsPerSide
        self.splits = splits
        self.slowdown = slowdown
        self.backend = backend
        self.threshold = threshold
        self.fdr = fdr
        self.seed = seed
    }
}

/// The gate's measured error rates on recorded data (`--json` output).
public struct CalibrationResult: Codable, Sendable, Equatable {
    public let scenario: String
    public let recordedRounds: Int
    public let roundsPerSide: Int
    public let splits: Int
    public let gated: Int
    public let threshold: Double
    public let fdr: Double
    public let slowdown: Double
    /// Pseudo jobs (no change at all) in which the gate flagged anything.
    public let falseAlarms: Int
    /// Pseudo jobs with the slowdown injected into one gated measurement, and how many caught it.
    public let injected: Int
    public let detected: Int
    /// Per injected measurement: "case · workload · metric" → caught / tried.
    public let detectionByTarget: [String: [Int]]
}

public enum CalibrationError: LabError, Equatable {
    case tooFewRounds(recorded: Int, needed: Int)
    case noTarget(String)

    public var exitStatus: ExitStatus { .badInput }
    public var description: String {
        switch self {
        case .tooFewRounds(let recorded, let needed):
            return "calibrate: \(recorded) recorded rounds, a pseudo A/B job needs \(needed) (two sides); record more rounds of the same build"
        case .noTarget(let backend):
            return "calibrate: no gated measurement of backend '\(backend)' in the recorded runs"
        }
    }
}

/// Estimates the A/B gate's false-alarm and detection rates from rounds of one build (the idea of
/// an A/A test): split the recorded rounds at random into a pseudo base and a pseudo candidate,
/// pair them, and run the gate. With no change, any flag is a false alarm. Then make the pseudo
/// candidate worse by a known amount in one gated measurement and see whether the gate catches it.
/// Splits of the same rounds overlap, so the rates are estimates from that data, not independent trials;
/// pairing rounds recorded at different times also adds drift that real interleaved rounds cancel,
/// which makes the false-alarm estimate conservative.
public enum Calibration {
    public static func run(_ request: CalibrationRequest) throws -> CalibrationResult {
        let runs = try request.paths.flatMap { try RoundSet.runFiles(under: $0) }.map { try RunRecordCoding.load(path: $0) }
        return try run(RoundSet(runs: runs), request)
    }

    public static func run(_ set: RoundSet, _ request: CalibrationRequest) throws -> CalibrationResult {
        let recorded = set.rounds.count
        let perSide = request.roundsPerSide ?? recorded / 2
        guard perSide >= 1, 2 * perSide <= recorded else {
            throw CalibrationError.tooFewRounds(recorded: recorded, needed: 2 * max(perSide, 1))
        }
        let gate = PairedComparison(threshold: request.threshold, fdr: request.fdr)
        let gatedKeys = set.keys.filter {
            GatedMetrics.isGated(workload: $0.workload, kind: set.workloadKinds[$0.workload], metric: $0.metric)
                && MetricCatalog.info($0.metric).direction != .neutral
        }.sorted()
        let targets = gatedKeys.filter { key in request.backend.map { set.cases[key.caseId]?.backend == $0 } ?? true }
        if let backend = request.backend, targets.isEmpty { throw CalibrationError.noTarget(backend) }

        var falseAlarms = 0, detected = 0, injected = 0
        var byTarget: [String: [Int]] = [:]
        for split in 0..<request.splits {
            var random = SplitMix64(seed: request.seed &+ UInt64(split))
            let order = shuffled(recorded, using: &random)
            let base = order.prefix(perSide).map { set.rounds[$0] }
            var candidate = order.dropFirst(perSide).prefix(perSide).map { set.rounds[$0] }
            let unchanged = gate.judge(base: base, candidate: candidate, workloadKinds: set.workloadKinds)
            if unchanged.contains(where: { $0.status == .regression }) { falseAlarms += 1 }
            guard !targets.isEmpty else { continue }
            let target = targets[split % targets.count]
            let factor = MetricCatalog.info(target.metric).direction == .higherIsBetter ? 1 - request.slowdown : 1 + request.slowdown
            for index in candidate.indices { candidate[index][target] = candidate[index][target].map { $0 * factor } }
            let slowed = gate.judge(base: base, candidate: candidate, workloadKinds: set.workloadKinds)
            let caught = slowed.contains { $0.key == target && $0.status == .regression }
            injected += 1
            if caught { detected += 1 }
            byTarget[target.label, default: [0, 0]][0] += caught ? 1 : 0
            byTarget[target.label, default: [0, 0]][1] += 1
        }
        return CalibrationResult(
            scenario: set.runs.first?.scenario.name ?? "", recordedRounds: recorded, roundsPerSide: perSide,
            splits: request.splits, gated: gatedKeys.count, threshold: request.threshold, fdr: request.fdr,
            slowdown: request.slowdown, falseAlarms: falseAlarms, injected: injected, detected: detected,
            detectionByTarget: byTarget)
    }

    /// Fisher–Yates with the lab's seeded generator, so a calibration is reproducible.
    static func shuffled(_ count: Int, using random: inout SplitMix64) -> [Int] {
        var items = Array(0..<count)
        guard count > 1 else { return items }
        for i in stride(from: count - 1, to: 0, by: -1) {
            let j = Int(random.next() % UInt64(i + 1))
            items.swapAt(i, j)
        }
        return items
    }

    /// The figures as text: the two rates first, then detection per injected measurement.
    public static func text(_ result: CalibrationResult) -> String {
        func rate(_ hits: Int, _ total: Int) -> String {
            String(format: "%d/%d (%.1f%%, ≈ %.1f in 20)", hits, total, 100 * Double(hits) / Double(max(total, 1)),
                   20 * Double(hits) / Double(max(total, 1)))
        }
        var out = "## benchlab calibrate: \(result.scenario)\n\n"
        out += "\(result.recordedRounds) recorded rounds of one build; \(result.splits) pseudo A/B jobs of \(result.roundsPerSide) "
            + "rounds a side; \(result.gated) gated measurements; threshold \(NumberText.percentChange(result.threshold).dropFirst()), "
            + "FDR \(NumberText.percentChange(result.fdr).dropFirst()).\n\n"
        out += "- false alarms (no change, anything flagged): \(rate(result.falseAlarms, result.splits))\n"
        out += "- detection of a \(NumberText.percentChange(result.slowdown).dropFirst()) slowdown in one gated measurement: "
            + "\(rate(result.detected, result.injected))\n"
        let missed = result.detectionByTarget.filter { $0.value[0] < $0.value[1] }.sorted { $0.key < $1.key }
        if !missed.isEmpty {
            out += "\nMeasurements where an injected slowdown was missed at least once (caught/tried):\n\n"
            out += missed.map { "- \($0.key): \($0.value[0])/\($0.value[1])\n" }.joined()
        }
        return out
    }
}

extension Calibration {
    public static func json(_ result: CalibrationResult) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(result), as: UTF8.self) + "\n"
    }
}
