import Foundation
import Testing
@testable import LabReport
import LabResults
import LabSystem

@Suite("Compare: A/B paired gate")
struct PairedCompareTests {
    static let kinds = ["tcp-throughput": "throughput", "packet-rate": "packet-rate"]

    /// Deterministic ±`spread` jitter around `level`, different per round and per key.
    static func jitter(_ round: Int, _ salt: Int, spread: Double) -> Double {
        let phase = Double((round * 7 + salt * 13) % 11) / 10 - 0.5  // −0.5…0.5
        return 1 + 2 * spread * phase
    }

    static func rounds(_ count: Int, xdpFactor: Double = 1, noise: Double = 0.01, salt: Int = 0) -> [[MeasurementKey: Double]] {
        (0..<count).map { r in
            [MeasurementKey(caseId: "none", workload: "tcp-throughput", metric: "throughput_gbps"): 10 * jitter(r, salt, spread: noise),
             MeasurementKey(caseId: "xdp", workload: "tcp-throughput", metric: "throughput_gbps"): 8 * xdpFactor * jitter(r, salt + 1, spread: noise),
             MeasurementKey(caseId: "xdp", workload: "tcp-throughput", metric: "retransmits"): 3 * jitter(r, salt + 2, spread: 0.5),
             MeasurementKey(caseId: "xdp", workload: "packet-rate", metric: "pps"): 1e6 * xdpFactor * jitter(r, salt + 3, spread: noise),
             MeasurementKey(caseId: "xdp", workload: "packet-rate", metric: "pps_handled"): 1.2e6 * xdpFactor * jitter(r, salt + 4, spread: noise)]
        }
    }

    static func status(_ changes: [PairedChange], _ caseId: String, _ metric: String) -> PairedStatus? {
        changes.first { $0.key.caseId == caseId && $0.key.metric == metric }?.status
    }

    @Test func aConsistentSlowdownOfAPrimaryMetricIsARegression() {
        let gate = PairedComparison(threshold: 0.05, fdr: 0.05)
        let changes = gate.judge(base: Self.rounds(10), candidate: Self.rounds(10, xdpFactor: 0.8, salt: 3), workloadKinds: Self.kinds)
        #expect(Self.status(changes, "xdp", "throughput_gbps") == .regression)
        #expect(Self.status(changes, "xdp", "pps_handled") == .regression)
        // pps duplicates pps_handled and retransmits is a count: shown, not gated.
        #expect(Self.status(changes, "xdp", "pps") == .notGated)
        #expect(Self.status(changes, "xdp", "retransmits") == .notGated)
        #expect(Self.status(changes, "none", "throughput_gbps") == .withinThreshold)
        let xdp = changes.first { $0.key.caseId == "xdp" && $0.key.metric == "throughput_gbps" }!
        #expect(abs(xdp.change - -0.2) < 0.02)
        #expect(xdp.roundRatios.count == 10)
        #expect(changes.first?.status == .regression)
    }

    @Test func anUnchangedBuildWithNoiseStaysGreen() {
        let gate = PairedComparison(threshold: 0.05, fdr: 0.05)
        let changes = gate.judge(base: Self.rounds(10, noise: 0.08), candidate: Self.rounds(10, noise: 0.08, salt: 5), workloadKinds: Self.kinds)
        #expect(!changes.contains { $0.status == .regression })
    }

    @Test func aSignificantChangeBelowTheThresholdIsTolerated() {
        let gate = PairedComparison(threshold: 0.05, fdr: 0.05)
        let changes = gate.judge(base: Self.rounds(10), candidate: Self.rounds(10, xdpFactor: 0.97, salt: 3), workloadKinds: Self.kinds)
        #expect(Self.status(changes, "xdp", "throughput_gbps") == .withinThreshold)
    }

    /// 5 rounds cannot reach p = 1/32 after BH over two gated measurements at 2.5%… but one-sided 1/32
    /// ≤ 0.05·1/2 does hold, so use a stricter FDR to show "beyond threshold, not significant".
    @Test func tooFewRoundsForTheFamilyIsWithinNoise() {
        let gate = PairedComparison(threshold: 0.05, fdr: 0.01)
        let changes = gate.judge(base: Self.rounds(5), candidate: Self.rounds(5, xdpFactor: 0.8, salt: 3), workloadKinds: Self.kinds)
        #expect(Self.status(changes, "xdp", "throughput_gbps") == .withinNoise)
    }

    @Test func anImprovementIsCalledWithTheSameCare() {
        let gate = PairedComparison(threshold: 0.05, fdr: 0.05)
        let changes = gate.judge(base: Self.rounds(10), candidate: Self.rounds(10, xdpFactor: 1.2, salt: 3), workloadKinds: Self.kinds)
        #expect(Self.status(changes, "xdp", "throughput_gbps") == .improvement)
    }

    @Test func primaryMetricsComeFromTheDeclarations() {
        #expect(GatedMetrics.isGated(workload: "tcp-throughput", kind: "throughput", metric: "throughput_gbps"))
        #expect(!GatedMetrics.isGated(workload: "udp-throughput", kind: "throughput", metric: "pps"))
        #expect(GatedMetrics.isGated(workload: "packet-rate", kind: "packet-rate", metric: "pps_handled"))
        #expect(GatedMetrics.isGated(workload: "packet-rate", kind: "packet-rate", metric: "cpu_ns_per_pkt"))
        #expect(!GatedMetrics.isGated(workload: "tcp-throughput", kind: "throughput", metric: "cpu_ns_per_pkt"))
        #expect(GatedMetrics.isGated(workload: "udp-latency", kind: "latency", metric: "latency_p99_us"))
        #expect(!GatedMetrics.isGated(workload: "udp-latency", kind: "latency", metric: "latency_p90_us"))
        #expect(GatedMetrics.isGated(workload: "connect", kind: "connect", metric: "cps"))
        #expect(GatedMetrics.isGated(workload: "policy", kind: nil, metric: "install_ms"))
        #expect(!GatedMetrics.isGated(workload: "policy", kind: nil, metric: "installed_entries"))
        #expect(!GatedMetrics.isGated(workload: "mystery", kind: "mystery", metric: "throughput_gbps"))
    }

    /// Writes one run per round per side, as scripts/ci-ab does, and compares the two directories.
    @Test func comparesDirectoriesOfPerRoundRunsAndSaysWhichMode() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("paired-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for round in 0..<10 {
            for (side, factor) in [("base", 1.0), ("candidate", 0.8)] {
                var builder = RunBuilder(scenario: "ci-ab")
                let j = Self.jitter(round, side == "base" ? 0 : 3, spread: 0.01)
                builder.add("none", point: [("rules", "1000")], ["throughput_gbps": [10 * j]])
                builder.add("tc", point: [("rules", "1000")], ["throughput_gbps": [8 * factor * j], "retransmits": [2]])
                let run = "\(directory)/\(side)/r\(String(format: "%02d", round + 1))/20251120T1000Z-ci-ab"
                try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
                try RunRecordCoding.encode(builder.record()).write(to: URL(fileURLWithPath: "\(run)/run.json"))
            }
        }
        let outcome = try ABComparison.run(PairedRequest(basePath: "\(directory)/base", candidatePath: "\(directory)/candidate"))
        #expect(outcome.exitStatus == .regression)
        #expect(outcome.report.rounds == 10)
        #expect(outcome.report.failure?.description == "1 measurement regressed beyond the threshold, significant after the false-discovery correction")
        #expect(outcome.report.mode == .paired)
        #expect(outcome.output.contains("Mode: **A/B**"))
        #expect(outcome.output.contains("❌ **1 regression** beyond ±5.0%, significant at FDR 5.0%"))
        #expect(outcome.output.contains("| 🔴 regression | tc[rules=1000] | tcp-throughput | throughput_gbps ↑ | 10 |"))
        #expect(outcome.report.flaggedCases == [FlaggedCase(id: "tc[rules=1000]", backend: "tc", parameters: ["rules": "1000"])])
        #expect(ABComparison.confirmationArguments(outcome.report) == ["--backends", "tc", "--set", "rules=1000"])
        let json = try ABComparison.json(outcome.report)
        #expect(json.contains("\"mode\" : \"a/b\""))

        // The same rounds for both sides: nothing to confirm, green.
        let same = try ABComparison.run(PairedRequest(basePath: "\(directory)/base", candidatePath: "\(directory)/base"))
        #expect(same.exitStatus == .ok)
        #expect(ABComparison.confirmationArguments(same.report).isEmpty)

        // A base that is not there is "baseline missing", so scripts fall back as for the committed one.
        #expect(throws: CompareError.self) {
            try ABComparison.run(PairedRequest(basePath: "\(directory)/nothing", candidatePath: "\(directory)/candidate"))
        }
    }

    @Test func calibrationCountsFalseAlarmsAndDetections() throws {
        let runs = (0..<20).map { round -> RunRecord in
            var builder = RunBuilder(scenario: "ci-ab")
            builder.add("none", ["throughput_gbps": [10 * Self.jitter(round, 0, spread: 0.02)]])
            builder.add("tc", ["throughput_gbps": [8 * Self.jitter(round, 1, spread: 0.02)]])
            return builder.record()
        }
        let result = try Calibration.run(RoundSet(runs: runs), CalibrationRequest(paths: [], roundsPerSide: 10, splits: 40, slowdown: 0.15))
        #expect(result.recordedRounds == 20 && result.roundsPerSide == 10 && result.gated == 2)
        #expect(result.falseAlarms == 0)
        #expect(result.injected == 40 && result.detected == 40)
        #expect(result.detectionByTarget["tc · tcp-throughput · throughput_gbps"] == [20, 20])
        let onlyTc = try Calibration.run(RoundSet(runs: runs), CalibrationRequest(paths: [], roundsPerSide: 10, splits: 10, backend: "tc"))
        #expect(onlyTc.detectionByTarget.keys.sorted() == ["tc · tcp-throughput · throughput_gbps"])
        #expect(throws: CalibrationError.tooFewRounds(recorded: 20, needed: 22)) {
            try Calibration.run(RoundSet(runs: runs), CalibrationRequest(paths: [], roundsPerSide: 11))
        }
        #expect(Calibration.text(result).contains("false alarms (no change, anything flagged): 0/40"))
    }
}
