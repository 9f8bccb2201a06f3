import Foundation
import Testing
import LabResults

/// Recorded run.json fixtures and golden files, read from the source tree so that
/// `BENCHLAB_UPDATE_GOLDEN=1 swift test --filter Report` can rewrite the goldens in place.
enum ReportFixtures {
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    static let names = ["filter-scale", "ci-smoke", "snat-workloads"]

    static func runPath(_ name: String) -> String {
        fixtures.appendingPathComponent("runs/\(name).run.json").path
    }

    static func run(_ name: String) throws -> RunRecord {
        try RunRecordCoding.load(path: runPath(name))
    }

    static func goldenDirectory(_ name: String) -> URL {
        fixtures.appendingPathComponent("golden/report/\(name)")
    }

    /// A fresh temporary directory, removed by the caller with `cleanUp`.
    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("benchlab-report-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
