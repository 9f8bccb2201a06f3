import Foundation
import LabResults
import LabSystem

/// benchlab's version and the git revision of the checkout it runs from (recorded in run.json so a
/// result can be traced to the code that produced it).
enum BenchlabVersion {
    static let string = "0.1.0"

    static var toolInfo: ToolInfo { ToolInfo(version: string, gitRevision: gitRevision()) }

    static func gitRevision() -> String {
        guard let root = CheckoutLocator.root,
              let result = try? Subprocess.run(Command("git", ["-C", root, "describe", "--always", "--dirty", "--abbrev=12"]), timeout: 5),
              result.succeeded else { return "unknown" }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// The benchlab checkout the running binary was built in (the first ancestor of the executable
/// with a Package.swift), if any.
enum CheckoutLocator {
    static var executable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    static var root: String? {
        var directory = (executable as NSString).deletingLastPathComponent
        while directory != "/" && !directory.isEmpty {
            if FileManager.default.fileExists(atPath: "\(directory)/Package.swift"),
               FileManager.default.fileExists(atPath: "\(directory)/scenarios") { return directory }
            directory = (directory as NSString).deletingLastPathComponent
        }
        return nil
    }
}
