import ArgumentParser
import Foundation

/// `--out` is checked with the other options, before anything touches the kernel: a run that builds
/// namespaces and probes for a minute only to fail at writing its results wastes that minute.
enum OutputDirectory {
    /// The directory must be writable if it exists; otherwise its nearest existing ancestor must be a
    /// writable directory (the run creates the rest).
    static func check(_ path: String) throws {
        guard !path.isEmpty else { throw ValidationError("--out is empty; name a directory for the results") }
        var isDirectory: ObjCBool = false
        var candidate = path
        while !FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory) {
            let parent = (candidate as NSString).deletingLastPathComponent
            candidate = parent.isEmpty ? "." : parent
        }
        guard isDirectory.boolValue else {
            let what = candidate == path ? "it is a file" : "'\(candidate)' is a file"
            throw ValidationError("--out \(path): not a directory (\(what))")
        }
        guard FileManager.default.isWritableFile(atPath: candidate) else {
            throw ValidationError("--out \(path): '\(candidate)' is not writable")
        }
    }
}
