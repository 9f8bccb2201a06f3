import LabResults

/// Every text output of a report, computed from a run record alone, without touching the disk:
/// what golden tests compare and what `ReportWriter` writes.
public struct ReportContent: Sendable {
    public let analysis: RunAnalysis
    public let charts: ChartPlan

    public init(record: RunRecord) {
        analysis = RunAnalysis(record: record)
        charts = ChartPlan(analysis: analysis)
    }

    /// report.md, which links charts according to whether gnuplot drew them.
    public func markdown(rendering: ChartRendering) -> String {
        ReportMarkdown(run: analysis, charts: charts, rendering: rendering).text
    }

    public var summaryCSV: String { SummaryCSV(run: analysis).text }

    /// Chart scripts and data, relative path → text ("charts/x.gp").
    public var chartFiles: [(path: String, text: String)] {
        charts.charts.flatMap { chart in
            [("charts/\(chart.scriptFile)", chart.script), ("charts/\(chart.dataFile)", chart.data)]
        }
    }
}
