import Foundation
import Testing
@testable import LabReport
import LabResults
import LabTraffic

@Suite("Report: chart axes, bars and distributions")
struct ChartAxisTests {
    @Test func logAxisWhenOneValueWouldFlattenTheRest() {
        #expect(LogAxisRule.wantsLog([400, 420, 9000]))
        #expect(!LogAxisRule.wantsLog([400, 420, 7000]))
        #expect(!LogAxisRule.wantsLog([0, 100]), "a log axis cannot show 0")
    }

    @Test func sweepChartTurnsLogWhenOneBackendDominates() throws {
        func script(iptables: Double) throws -> String {
            var builder = RunBuilder()
            builder.parameters = [ParameterRecord(name: "rules", values: ["1", "10000"])]
            for rules in ["1", "10000"] {
                builder.add("none", point: [("rules", rules)], ["cpu_ns_per_pkt": [400, 400, 400]])
                builder.add("iptables-legacy", point: [("rules", rules)], ["cpu_ns_per_pkt": rules == "1" ? [420, 430, 420] : [iptables, iptables, iptables]])
            }
            let plan = ChartPlan(analysis: RunAnalysis(record: builder.record()))
            return try #require(plan.charts.first { $0.name == "tcp-throughput-cpu_ns_per_pkt" }).script
        }
        let flattened = try script(iptables: 30_000)
        #expect(flattened.contains("set logscale y 10"))
        #expect(flattened.contains("set ylabel 'cpu_ns_per_pkt (ns), log scale'"))
        #expect(!(try script(iptables: 500)).contains("logscale y"))
    }

    @Test func singlePointChartsAreBarsInTheBackendsColours() throws {
        var builder = RunBuilder()
        builder.add("none", ["throughput_gbps": [10, 11, 12]])
        builder.add("tc", ["throughput_gbps": [9, 9.5, 10]])
        let chart = try #require(ChartPlan(analysis: RunAnalysis(record: builder.record())).charts.first)
        #expect(chart.script.contains("index 0 using 1:2 with boxes lc rgb '\(BackendColor.of("none"))' notitle"))
        #expect(chart.script.contains("index 1 using 1:2 with boxes lc rgb '\(BackendColor.of("tc"))' notitle"))
        #expect(chart.script.contains("index 2 using 1:2:3:4 with yerrorbars"))
        #expect(chart.script.contains("set yrange [0:*]"))
        let intervals = try #require(chart.data.components(separatedBy: "\n\n\n").last)
        #expect(intervals.contains("# 95% intervals"))
        #expect(intervals.contains("1.0 9.5 "), "the tc bar's median, followed by its interval")
    }

    @Test func percentileAxisIsLogOfOneOverOneMinusP() throws {
        #expect(abs(try #require(PercentileAxis.x(percentile: 50)) - log10(2)) < 1e-12)
        #expect(abs(try #require(PercentileAxis.x(percentile: 90)) - 1) < 1e-12)
        #expect(abs(try #require(PercentileAxis.x(percentile: 99.9)) - 3) < 1e-9)
        #expect(PercentileAxis.x(percentile: 100) == nil, "the maximum is at infinity")
    }

    @Test func distributionFallsBackToThePercentileMetricsOfOldRuns() throws {
        var builder = RunBuilder()
        builder.add("none", workload: "tcp-latency", ["latency_p50_us": [30, 30, 30], "latency_p99_us": [50, 50, 50]])
        let chart = try #require(ChartPlan(analysis: RunAnalysis(record: builder.record())).charts.first {
            $0.name == "tcp-latency-latency-distribution"
        })
        #expect(chart.data.contains("# none (from the percentile metrics)"))
        #expect(chart.data.contains("50.0 0.3010299956639812 30.0\n99.0 1.99999"))
        #expect(chart.script.contains("set xtics ('0%%' 0.0, '50%%' 0.3010299956639812, '90%%' 1.0"))
    }

    @Test func distributionUsesTheRecordedLadderMedianAcrossRepeats() throws {
        var builder = RunBuilder()
        builder.add("xdp", workload: "tcp-latency", ["latency_p50_us": [30, 30, 30]])
        var record = builder.record()
        for (k, p50) in [31.0, 35, 33].enumerated() {
            record.cases[0].repeats[k + 1].series = [Series(workload: "tcp-latency", name: LatencyWorkload.percentileSeries,
                                                            xLabel: "percentile", yLabel: "round trip (µs)",
                                                            x: [50, 90, 100], y: [p50, 60, 90])]
        }
        let plan = ChartPlan(analysis: RunAnalysis(record: record))
        let chart = try #require(plan.charts.first { $0.name == "tcp-latency-latency-distribution" })
        #expect(chart.data.contains("# xdp (recorded ladder, median of 3 repeats)"))
        #expect(chart.data.contains("50.0 0.3010299956639812 33.0\n90.0 1.0 60.0\n"), "median across repeats; 100% is off the axis")
        #expect(!plan.charts.contains { $0.name.contains("series") }, "the ladder is not also drawn as a plain series")
    }
}
