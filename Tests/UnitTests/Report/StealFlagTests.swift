import Testing
@testable import LabReport

@Suite("Report: CPU steal flag")
struct StealFlagTests {
    func results(steal: [Double]) -> String {
        var builder = RunBuilder()
        builder.add("none", ["throughput_gbps": [10, 10.1, 9.9], "steal_share": steal])
        let run = RunAnalysis(record: builder.record())
        return ResultsSection(run: run, charts: ChartPlan(analysis: run), rendering: .skipped("test")).text
    }

    @Test("a workload whose window lost more than 5% to steal is flagged in every cell, with the legend")
    func flagged() {
        let text = results(steal: [0.01, 0.08, 0.0])
        #expect(text.contains(StealFlag.legend))
        #expect(text.contains("10.0 [9.90, 10.1] ⚑"), "\(text)")
    }

    @Test("below the threshold nothing changes")
    func quiet() {
        let text = results(steal: [0.01, 0.05, 0.0])
        #expect(!text.contains("⚑"))
    }
}
