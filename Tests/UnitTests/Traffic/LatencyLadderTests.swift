import Foundation
import Testing
import LabResults
@testable import LabTraffic

@Suite("Traffic: latency percentile ladder")
struct LatencyLadderTests {
    @Test func ladderStopsWhereTheSampleCountCannotResolve() {
        var recorder = LatencyRecorder()
        for us in 1...100 { recorder.record(nanoseconds: UInt64(us) * 1000) }
        let ladder = recorder.percentiles
        // 100 samples resolve 99% (1 sample beyond it) but not 99.5%, which needs 200.
        #expect(ladder.map(\.percentile) == [0, 50, 75, 90, 95, 99, 100])
        #expect(ladder.first?.microseconds == 1)
        // HdrHistogram reports the top of the maximum's bucket (3 significant digits).
        #expect(abs((ladder.last?.microseconds ?? 0) - 100) < 0.1)
        #expect(abs(ladder[1].microseconds - 50) < 0.1)
        #expect(LatencyRecorder().percentiles.isEmpty)
    }

    @Test func reportCarriesTheLadderAndTheWorkloadRecordsItAsASeries() throws {
        var recorder = LatencyRecorder()
        for us in 1...1000 { recorder.record(nanoseconds: UInt64(us) * 1000) }
        let report = recorder.report(failed: 0, elapsedSeconds: 1, firstError: nil)
        let decoded = try JSONDecoder().decode(AgentReport.self, from: JSONEncoder().encode(report))
        #expect(decoded.percentiles == report.percentiles)
        let series = try #require(LatencyWorkload.series(decoded, workload: "udp-latency").first)
        #expect(series.name == LatencyWorkload.percentileSeries)
        #expect(series.x == [0, 50, 75, 90, 95, 99, 99.5, 99.9, 100])
    }

    @Test func anAgentWithoutTheLadderStillDecodes() throws {
        let json = #"{"completed":3,"failed":0,"elapsed_s":1,"p50_us":1,"p90_us":2,"p99_us":3,"p999_us":3,"mean_us":2,"max_us":3}"#
        let report = try JSONDecoder().decode(AgentReport.self, from: Data(json.utf8))
        #expect(report.percentiles == nil)
        #expect(LatencyWorkload.series(report, workload: "udp-latency").isEmpty)
    }
}
