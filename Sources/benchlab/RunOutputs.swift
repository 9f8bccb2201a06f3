import LabResults

/// The files derived from run.json after a run.
enum RunOutputs {
    struct Written {
        var report: String?
    }

    static func write(_ record: RunRecord, to directory: String) throws -> Written {
        Written(report: nil)
    }
}
