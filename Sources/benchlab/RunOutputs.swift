import LabReport
import LabResults

/// The files derived from run.json after a run: report.md, summary.csv, charts/.
enum RunOutputs {
    struct Written {
        var report: String
    }

    static func write(_ record: RunRecord, to directory: String) throws -> Written {
        Written(report: try ReportWriter.write(record: record, to: directory))
    }
}
