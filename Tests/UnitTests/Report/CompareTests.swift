import Foundation
import Testing
import LabReport
import LabResults
import LabSystem

@Suite("Compare: ratio gate")
struct CompareTests {
    static let none: [Double] = [10, 10.1, 9.9, 10.05, 9.95]

    /// One run with a none and a tc case measuring `metric` (throughput_gbps unless told).
    static func run(tc: [Double], none: [Double] = none, metric: String = "throughput_gbps",
                    scenario: String = "ci-gate", kernel: String = "6.8.0-49-generic") -> RunRecord {
        var builder = RunBuilder(scenario: scenario)
        builder.kernel = kernel
        builder.add("none", [metric: none])
        builder.add("tc", [metric: tc])
        return builder.record()
    }

    static func compare(_ baseline: RunRecord, _ current: RunRecord, metrics: [String] = []) throws -> ComparisonReport {
        try RunComparison.compare(baseline: baseline, current: current, threshold: 0.05, metrics: metrics)
    }

    static func only(_ result: ComparisonReport) throws -> RatioChange {
        try #require(result.changes.count == 1)
        return result.changes[0]
    }

    @Test func aWorseRatioBeyondThresholdAndNoiseIsARegression() throws {
        let baseline = Self.run(tc: [9.7, 9.75, 9.65, 9.72, 9.68])
        let current = Self.run(tc: [8.0, 8.05, 7.95, 8.02, 7.98])
        let result = try Self.compare(baseline, current)
        let change = try Self.only(result)
        #expect(change.status == .regression)
        #expect(change.key.pair == "tc / none")
        #expect(abs(change.change - (8.0 / 9.7 - 1)) < 1e-9)
        #expect(result.exitStatus == .regression)
        #expect(result.failure?.exitStatus == .regression)
    }

    @Test func aBetterLatencyRatioIsAnImprovement() throws {
        let none: [Double] = [20, 20.2, 19.8, 20.1, 19.9]
        let baseline = Self.run(tc: [30, 30.2, 29.8, 30.1, 29.9], none: none, metric: "latency_p99_us")
        let current = Self.run(tc: [22, 22.1, 21.9, 22.05, 21.95], none: none, metric: "latency_p99_us")
        let result = try Self.compare(baseline, current)
        #expect(try Self.only(result).status == .improvement)
        #expect(result.exitStatus == .ok)
        // The same numbers the other way round: lower-is-better turns the rise into a regression.
        #expect(try Self.only(Self.compare(current, baseline)).status == .regression)
    }

    @Test func aChangeWhoseIntervalsOverlapIsNoise() throws {
        let baseline = Self.run(tc: [7, 9.7, 12, 8, 11])
        let current = Self.run(tc: [6.5, 9.0, 11.5, 7.5, 10.5])
        let change = try Self.only(Self.compare(baseline, current))
        #expect(abs(change.change) > 0.05, "beyond the threshold…")
        #expect(change.status == .withinNoise, "…but inside the noise")
    }

    @Test func aSmallChangeIsWithinThresholdHoweverSure() throws {
        let baseline = Self.run(tc: [9.7, 9.71, 9.69, 9.7, 9.7])
        let current = Self.run(tc: [9.5, 9.51, 9.49, 9.5, 9.5])
        let result = try Self.compare(baseline, current)
        #expect(try Self.only(result).status == .withinThreshold)
        #expect(result.exitStatus == .ok)
    }

    @Test func twoRepeatsCannotRuleOutNoise() throws {
        let baseline = Self.run(tc: [9.7, 9.72], none: [10, 10.1])
        let current = Self.run(tc: [8.0, 8.02], none: [10, 10.1])
        let result = try Self.compare(baseline, current)
        #expect(try Self.only(result).status == .noInterval)
        #expect(result.exitStatus == .ok)
    }

    @Test func requestedMetricsMustExistAndBeDirectional() throws {
        let baseline = Self.run(tc: [9.7, 9.75, 9.65])
        #expect(throws: CompareError.unknownMetrics(["no_such_metric"])) {
            try Self.compare(baseline, baseline, metrics: ["no_such_metric"])
        }
        #expect(CompareError.unknownMetrics(["x"]).exitStatus == .badInput)
        let neutral = Self.run(tc: [1, 2, 3], none: [1, 2, 3], metric: "pps_sent")
        #expect(throws: CompareError.neutralMetrics(["pps_sent"])) { try Self.compare(neutral, neutral, metrics: ["pps_sent"]) }
        #expect(CompareError.neutralMetrics(["x"]).exitStatus == .badInput)
        // Recorded by the current run only: nothing to compare it with.
        let latency = Self.run(tc: [30, 31, 29], none: [20, 21, 19], metric: "latency_p99_us")
        let error = #expect(throws: CompareError.self) { try Self.compare(baseline, latency, metrics: ["latency_p99_us"]) }
        #expect(error?.exitStatus == .baselineIncompatible)
        #expect(try Self.compare(baseline, baseline, metrics: ["throughput_gbps"]).changes.count == 1)
    }

    @Test func metricFilterLimitsTheComparison() throws {
        var builder = RunBuilder()
        builder.add("none", ["throughput_gbps": Self.none, "latency_p99_us": [20, 20.1, 19.9]])
        builder.add("tc", ["throughput_gbps": [9.7, 9.75, 9.65], "latency_p99_us": [30, 30.1, 29.9]])
        builder.add("xdp", ["throughput_gbps": [9.8, 9.85, 9.75], "latency_p99_us": [25, 25.1, 24.9]])
        let result = try Self.compare(builder.record(), Self.run(tc: [8.0, 8.05, 7.95]), metrics: ["throughput_gbps"])
        #expect(result.changes.map(\.key.metric) == ["throughput_gbps"])
        #expect(result.onlyInBaseline == ["xdp / none · tcp-throughput · throughput_gbps"])
    }

    @Test func anotherScenarioIsIncompatible() throws {
        let error = #expect(throws: CompareError.self) {
            try Self.compare(Self.run(tc: [9, 9, 9]), Self.run(tc: [9, 9, 9], scenario: "filter-scale"))
        }
        #expect(error?.exitStatus == .baselineIncompatible)
        #expect(error?.description.contains("'ci-gate'") == true)
    }

    @Test func ratiosInOneRunOnlyAreListedNotGated() throws {
        var builder = RunBuilder()
        builder.add("none", ["throughput_gbps": Self.none])
        builder.add("tc", ["throughput_gbps": [9.7, 9.75, 9.65, 9.72, 9.68]])
        builder.add("xdp", ["throughput_gbps": [9.8, 9.85, 9.75, 9.82, 9.78]])
        let current = Self.run(tc: [9.7, 9.75, 9.65, 9.72, 9.68])
        let result = try Self.compare(builder.record(), current)
        #expect(result.onlyInBaseline == ["xdp / none · tcp-throughput · throughput_gbps"])
        #expect(result.exitStatus == .ok)
    }

    @Test func markdownNamesBothMachinesAndSummarisesInOneLine() throws {
        let baseline = Self.run(tc: [9.7, 9.75, 9.65, 9.72, 9.68], kernel: "6.1.0-28-amd64")
        let current = Self.run(tc: [8.0, 8.05, 7.95, 8.02, 7.98])
        let outcome = try BaselineComparison.run(try Self.files(baseline, current))
        #expect(outcome.exitStatus == .regression)
        #expect(outcome.output.contains("❌ **1 regression** beyond ±5.0% and outside the noise · 1 ratios compared"))
        #expect(outcome.output.contains("| baseline | `run-ci-gate-6.1.0-28-amd64` | lab-ci-01 | 6.1.0-28-amd64 |"))
        #expect(outcome.output.contains("| current | `run-ci-gate-6.8.0-49-generic` | lab-ci-01 | 6.8.0-49-generic |"))
        #expect(outcome.output.contains("The runs come from different machines"))
        #expect(outcome.output.contains("Mode: **baseline**"))
        #expect(outcome.output.contains("| 🔴 regression | tc / none | tcp-throughput | throughput_gbps ↑ |"))
    }

    @Test func jsonOutputCarriesTheVerdictsAndMachines() throws {
        let baseline = Self.run(tc: [9.7, 9.75, 9.65, 9.72, 9.68])
        var request = try Self.files(baseline, Self.run(tc: [9.5, 9.51, 9.49, 9.5, 9.5]))
        request.json = true
        let outcome = try BaselineComparison.run(request)
        let decoded = try BaselineComparison.decode(json: Data(outcome.output.utf8))
        #expect(decoded == outcome.result)
        #expect(outcome.output.contains("\"status\" : \"within-threshold\""))
        #expect(outcome.output.contains("\"only_in_baseline\"") && outcome.output.contains("\"cpu_model\""))
        #expect(decoded.baseline.kernel == "6.8.0-49-generic" && decoded.current.cpuModel.hasPrefix("AMD EPYC"))
    }

    @Test func aMissingOrUnreadableBaselineIsBaselineMissing() throws {
        var request = try Self.files(Self.run(tc: [9, 9, 9]), Self.run(tc: [9, 9, 9]))
        let current = request.currentPath
        request.baselinePath = current + ".does-not-exist"
        var error = #expect(throws: CompareError.self) { try BaselineComparison.run(request) }
        #expect(error?.exitStatus == .baselineMissing)
        let garbage = (current as NSString).deletingLastPathComponent + "/garbage.json"
        try "{ not json".write(toFile: garbage, atomically: true, encoding: .utf8)
        request.baselinePath = garbage
        error = #expect(throws: CompareError.self) { try BaselineComparison.run(request) }
        #expect(error?.exitStatus == .baselineMissing)
    }

    @Test func anotherSchemaIsIncompatibleEvenWhenItNoLongerDecodes() throws {
        var old = Self.run(tc: [9, 9, 9])
        old.schema = "benchlab.run/0"
        var request = try Self.files(old, Self.run(tc: [9, 9, 9]))
        var error = #expect(throws: CompareError.self) { try BaselineComparison.run(request) }
        #expect(error?.exitStatus == .baselineIncompatible)
        let future = (request.currentPath as NSString).deletingLastPathComponent + "/future.json"
        try #"{"schema": "benchlab.run/99", "runs": []}"#.write(toFile: future, atomically: true, encoding: .utf8)
        request.baselinePath = future
        error = #expect(throws: CompareError.self) { try BaselineComparison.run(request) }
        #expect(error?.exitStatus == .baselineIncompatible)
    }

    @Test func aMissingCurrentRunIsBadInput() throws {
        var request = try Self.files(Self.run(tc: [9, 9, 9]), Self.run(tc: [9, 9, 9]))
        request.currentPath += ".missing"
        let error = #expect(throws: (any Error).self) { try BaselineComparison.run(request) }
        #expect(error?.exitStatus == .badInput)
    }

    @Test func thresholdsArePercentages() throws {
        #expect(try Threshold.parse("5%") == 0.05)
        #expect(try Threshold.parse("2.5") == 0.025)
        #expect(try Threshold.parse("0%") == 0)
        for bad in ["five", "-1%", "5%%", ""] {
            #expect(throws: CompareError.badThreshold(bad)) { try Threshold.parse(bad) }
        }
        #expect(CompareError.badThreshold("x").exitStatus == .badInput)
    }

    /// Writes both runs to a fresh directory (baseline as a run directory, current as a run.json path).
    static func files(_ baseline: RunRecord, _ current: RunRecord) throws -> CompareRequest {
        let directory = try ReportFixtures.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: "\(directory)/baseline", withIntermediateDirectories: true)
        try RunRecordCoding.encode(baseline).write(to: URL(fileURLWithPath: "\(directory)/baseline/run.json"))
        try RunRecordCoding.encode(current).write(to: URL(fileURLWithPath: "\(directory)/current.json"))
        return CompareRequest(baselinePath: "\(directory)/baseline", currentPath: "\(directory)/current.json")
    }

    @Test func aSchemaOneBaselineComparesWithASchemaTwoRun() throws {
        var old = Self.run(tc: [9, 9, 9])
        old.schema = "benchlab.run/1"
        let request = try Self.files(old, Self.run(tc: [9, 9, 9]))
        let report = try BaselineComparison.run(request)
        #expect(!report.result.changes.isEmpty)
        #expect(report.exitStatus == .ok)
    }
}
