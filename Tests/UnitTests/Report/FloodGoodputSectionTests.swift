import LabResults
import Testing
@testable import LabReport

@Suite("Report: good traffic under a flood")
struct FloodGoodputSectionTests {
    static let workload = "goodput"

    /// tps per flood share, flood pps = share × 300k.
    static func run(_ curves: [String: [Double]], settingsPrefix: String = "flood_share") -> RunAnalysis {
        var builder = RunBuilder(scenario: "flood-goodput")
        let shares = ["0", "0.25", "0.5", "0.75", "1"]
        for backend in curves.keys.sorted() {
            for (share, tps) in zip(shares, curves[backend]!) {
                builder.add(backend, point: [("flood", share)], workload: workload, [
                    "tps": [tps], "flood_pps_offered": [Double(share)! * 300_000], "rr_p99_us": [100 + Double(share)! * 1000],
                    "generator_ceiling_pps": [backend == "none" ? 1_000_000 + Double(share)! * 1000 : 2_000_000],
                ])
            }
        }
        builder.parameters = [ParameterRecord(name: "flood", values: shares)]
        var record = builder.record()
        record.scenario.workloads = [WorkloadRecord(name: workload, kind: "flood-goodput", settings: "\(settingsPrefix)=${flood} receive_cpu=1")]
        return RunAnalysis(record: record)
    }

    @Test("the half-rate flood is interpolated between the steps around half of the no-flood rate")
    func halfRate() {
        let run = Self.run(["iptables-legacy": [10_000, 8_000, 4_000, 1_000, 500], "xdp": [10_000, 9_900, 9_800, 9_700, 9_600]])
        let text = FloodGoodputSection(run: run).text
        #expect(text.hasPrefix("## Good traffic under a flood\n"))
        // 8000 → 4000 across 0.25 → 0.5: half (5000) at t = 0.75, share 0.4375, 131250 pps.
        #expect(text.contains("| iptables-legacy | 10000 | 500 (0.0500×) | 131250 | 0.438 | 1100 |"))
        #expect(text.contains("| xdp | 10000 | 9600 (0.96×) | > 300000 | > 1.00 | 1100 |"))
        // The flood level is per variant, so the shared settings leave it out; the ceiling is none's.
        #expect(text.contains("`goodput`: receive_cpu=1\n"))
        #expect(!text.contains("The generator's ceiling"))
        // Swept in packets/s, the half-rate point is not repeated as a share.
        let byRate = FloodGoodputSection(run: Self.run(["xdp": [10_000, 9_900, 9_800, 9_700, 9_600]], settingsPrefix: "flood_rate")).text
        #expect(byRate.contains("| xdp | 10000 | 9600 (0.96×) | > 300000 | 1100 |"))
        let withNone = FloodGoodputSection(run: Self.run(["none": [10_000, 9_000, 8_000, 7_000, 6_000], "xdp": [10_000, 9_900, 9_800, 9_700, 9_600]])).text
        #expect(withNone.contains("measured in `none`'s cases): 1000500 packets/s."))
    }

    @Test("a curve that falls below half at the first flood step interpolates from zero")
    func fallsAtOnce() {
        let curve = FloodGoodputSection.Curve(backend: "b", steps: [
            .init(share: 0, floodPPS: 0, tps: 1000, p99: nil), .init(share: 0.5, floodPPS: 100, tps: 0, p99: nil),
        ])
        let half = try? #require(curve.halfRate)
        #expect(half?.share == 0.25 && half?.pps == 50)
    }

    @Test("no section without a flood-goodput workload")
    func absent() {
        #expect(FloodGoodputSection(run: ConntrackSectionTests.run()).text.isEmpty)
    }
}
