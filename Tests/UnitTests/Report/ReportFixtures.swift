import Foundation
import Testing
import LabResults

/// Recorded run.json fixtures and golden files, read from the source tree so that
/// `BENCHLAB_UPDATE_GOLDEN=1 swift test --filter Report` can rewrite the goldens in place.
enum ReportFixtures {
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    static let names = ["filter-scale", "ci-smoke"]

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

/// Compares generated text with a golden file; with BENCHLAB_UPDATE_GOLDEN=1 writes it instead.
enum Golden {
    static var updating: Bool { ProcessInfo.processInfo.environment["BENCHLAB_UPDATE_GOLDEN"] == "1" }

    static func check(_ actual: String, against file: URL, sourceLocation: SourceLocation = #_sourceLocation) throws {
        if updating {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try actual.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: file, encoding: .utf8) else {
            Issue.record("missing golden \(file.path); run with BENCHLAB_UPDATE_GOLDEN=1", sourceLocation: sourceLocation)
            return
        }
        guard actual != expected else { return }
        let actualLines = actual.components(separatedBy: "\n")
        let expectedLines = expected.components(separatedBy: "\n")
        let line = zip(actualLines, expectedLines).enumerated().first { $1.0 != $1.1 }?.offset
            ?? min(actualLines.count, expectedLines.count)
        let got = line < actualLines.count ? actualLines[line] : "<end of file>"
        let want = line < expectedLines.count ? expectedLines[line] : "<end of file>"
        let message = "\(file.lastPathComponent) differs at line \(line + 1):\n  got:  \(got)\n  want: \(want)\n"
            + "(BENCHLAB_UPDATE_GOLDEN=1 rewrites goldens after an intended change)"
        Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
    }

    /// Files in a golden directory, relative paths, sorted (to catch charts that disappeared).
    static func listing(_ directory: URL) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory.path) else { return [] }
        return enumerator.compactMap { $0 as? String }.filter { path in
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: directory.appendingPathComponent(path).path, isDirectory: &isDirectory)
            return exists && !isDirectory.boolValue
        }.sorted()
    }
}
