import Foundation
import LabResults
import LabSystem

/// Writes a run's report into its directory: report.md, summary.csv, charts/*.gp, *.dat and *.svg.
/// Every file is written atomically; the same run.json always produces the same bytes, which is what
/// lets `benchlab report <run-dir>` rebuild exactly what the run wrote.
public enum ReportWriter {
    public static let reportFile = "report.md"
    public static let summaryFile = "summary.csv"
    public static let chartsDirectory = "charts"

    /// Writes everything and returns the path of report.md. Charts are drawn with gnuplot when it is
    /// installed; without it the report says so and how to install it, and the rest is unaffected.
    @discardableResult
    public static func write(record: RunRecord, to directory: String) throws -> String {
        try write(record: record, to: directory, renderer: GnuplotRenderer())
    }

    static func write(record: RunRecord, to directory: String, renderer: GnuplotRenderer) throws -> String {
        let content = ReportContent(record: record)
        let chartsPath = path(directory, chartsDirectory)
        try AtomicFile.makeDirectory(chartsPath)
        for file in content.chartFiles {
            try AtomicFile.write(file.text, to: path(directory, file.path))
        }
        let rendering = content.charts.charts.isEmpty ? .rendered : try renderer.render(content.charts.charts, in: chartsPath)
        try AtomicFile.write(content.summaryCSV, to: path(directory, summaryFile))
        let report = path(directory, reportFile)
        try AtomicFile.write(content.markdown(rendering: rendering), to: report)
        return report
    }

    /// Loads `<run-dir>/run.json` (or a run.json path) and rebuilds the report next to it.
    @discardableResult
    public static func rebuild(from runPath: String) throws -> String {
        let record = try RunRecordCoding.load(path: runPath)
        return try write(record: record, to: runDirectory(of: runPath))
    }

    /// The directory holding a run: the path itself, or the directory of a run.json.
    public static func runDirectory(of runPath: String) -> String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: runPath, isDirectory: &isDirectory), isDirectory.boolValue {
            return runPath
        }
        let parent = (runPath as NSString).deletingLastPathComponent
        return parent.isEmpty ? "." : parent
    }

    private static func path(_ directory: String, _ relative: String) -> String {
        (directory as NSString).appendingPathComponent(relative)
    }
}
