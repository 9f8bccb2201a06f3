import Testing
@testable import LabReport
import LabResults

@Suite("Report: at a glance")
struct GlanceTests {
    @Test func headlineTableHasBackendsAsRowsAndTheSweepAsColumns() {
        var builder = RunBuilder()
        builder.parameters = [ParameterRecord(name: "rules", values: ["1", "10"])]
        builder.add("none", point: [("rules", "1")], ["throughput_gbps": [10, 10, 10]])
        builder.add("tc", point: [("rules", "1")], ["throughput_gbps": [5, 5, 5]])
        builder.add("none", point: [("rules", "10")], ["throughput_gbps": [10, 10, 10]])
        builder.add("tc", point: [("rules", "10")], [:], status: .failed)
        let markdown = ReportContent(record: builder.record()).markdown(rendering: .rendered)
        let table = """
        tcp-throughput · throughput_gbps (Gbit/s) ↑

        | backend | rules=1 | rules=10 |
        | --- | ---: | ---: |
        | none | 10.0 [10.0–10.0] | 10.0 [10.0–10.0] |
        | tc | 5.00 (0.50×) [5.00–5.00] | failed |

        """
        #expect(markdown.contains(table))
        let glance = try! #require(markdown.range(of: "## At a glance"))
        let results = try! #require(markdown.range(of: "## Results"))
        #expect(glance.lowerBound < results.lowerBound, "the headline tables come before the per-case tables")
    }

    @Test func withoutASweepTheTableHasOneColumn() {
        var builder = RunBuilder()
        builder.add("none", ["throughput_gbps": [10, 10]])
        builder.add("xdp", ["throughput_gbps": [9, 9]])
        let markdown = ReportContent(record: builder.record()).markdown(rendering: .rendered)
        #expect(markdown.contains("| backend | value |\n| --- | ---: |\n| none | 10.0 (n=2) |\n| xdp | 9.00 (0.90×) (n=2) |\n"))
    }

    @Test func aBackendThatNeverRecordsTheHeadlineHasNoRow() {
        var builder = RunBuilder()
        builder.add("none", ["cpu_ns_per_pkt": [400, 400, 400]])
        builder.add("tc", ["install_ms": [2, 2, 2], "cpu_ns_per_pkt": [410, 410, 410]])
        let markdown = ReportContent(record: builder.record()).markdown(rendering: .rendered)
        #expect(markdown.contains("| backend | value |\n| --- | ---: |\n| tc | 2.00 [2.00–2.00] |\n"))
    }
}
