import Foundation
import Testing

/// Compares generated text with a golden file in the source tree (Tests/UnitTests/Fixtures/golden/…);
/// with BENCHLAB_UPDATE_GOLDEN=1 rewrites it (failing once if it changed). Every golden test in the package goes through here.
enum Golden {
    /// Tests/UnitTests/Fixtures/golden, read from the source tree so updates land where git sees them.
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/golden")

    static var updating: Bool { ProcessInfo.processInfo.environment["BENCHLAB_UPDATE_GOLDEN"] == "1" }

    static func check(_ actual: String, against file: URL, sourceLocation: SourceLocation = #_sourceLocation) throws {
        if updating {
            // Rewrite, and fail once when the file changed, so an update is never silent.
            guard (try? String(contentsOf: file, encoding: .utf8)) != actual else { return }
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try actual.write(to: file, atomically: true, encoding: .utf8)
            Issue.record("rewrote \(file.path); review the diff and run again", sourceLocation: sourceLocation)
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
