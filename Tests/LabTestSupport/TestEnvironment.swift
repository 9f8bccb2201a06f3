import Foundation
import LabSystem
import LabTopology

/// Facts tests use to decide whether they can run, and paths to the built binary.
public enum TestEnvironment {
    public static var isRoot: Bool { Privileges.isRoot }

    /// The `benchlab` executable built next to the test bundle (`swift test` builds every product),
    /// or $BENCHLAB_BIN when set.
    public static var benchlabBinary: String {
        if let path = ProcessInfo.processInfo.environment["BENCHLAB_BIN"] { return path }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = (exe as NSString).deletingLastPathComponent
        // The test runner may live inside an .xctest bundle directory.
        while directory.hasSuffix(".xctest") || directory.hasSuffix("/Contents") || directory.hasSuffix("/Linux") {
            directory = (directory as NSString).deletingLastPathComponent
        }
        return "\(directory)/benchlab"
    }

    /// The package root (where Package.swift and scenarios/ are).
    public static var packageRoot: String {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path
        while directory != "/" {
            if FileManager.default.fileExists(atPath: "\(directory)/Package.swift") { return directory }
            directory = (directory as NSString).deletingLastPathComponent
        }
        return FileManager.default.currentDirectoryPath
    }

    /// A scratch directory removed by the caller.
    public static func temporaryDirectory(_ label: String) throws -> String {
        let path = "\(NSTemporaryDirectory())benchlab-\(label)-\(LabNames.newID())"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// A journal for one test that is always rolled back, even when the test throws — so a failing
/// kernel test still leaves no namespace behind.
public func withTestJournal<T>(_ label: String, _ body: (Journal) throws -> T) throws -> T {
    let journal = try Journal.create(id: "t\(LabNames.newID())", command: "test \(label)")
    defer { journal.close() }
    return try body(journal)
}

/// Namespaces whose names contain any of `ids` (to assert a test's own objects are gone without
/// being confused by other tests running in parallel).
public func namespacesLeft(matching ids: [String]) -> [String] {
    Namespaces.all().filter { name in ids.contains { name.contains($0) } }
}

/// What a crashed or careless run would leave: lab namespaces that no live run's journal claims,
/// and journals whose owner is dead. Defined this way so a test can assert "nothing left behind"
/// while other runs (other test processes, a benchmark) are alive on the same machine.
public enum Leftovers {
    public static func namespaces() -> [String] {
        var claimed = Set<String>()
        // A lab left up on purpose (`benchlab up`, owner exited) is someone's, not a leftover.
        for (journal, owner) in journals() where owner?.process.isAlive == true || owner?.detached == true {
            for case .deleteNamespace(let name) in journal.pendingSteps { claimed.insert(name) }
        }
        return Namespaces.labNamespaces().filter { !claimed.contains($0) }
    }

    /// Journals of dead owners, ignoring labs left up on purpose by `benchlab up`.
    public static func deadJournals() -> [String] {
        journals().filter { $0.1?.detached != true && $0.1?.process.isAlive != true }.map(\.0.id)
    }

    static func journals() -> [(Journal, JournalOwner?)] {
        LabCleaner().journalDirectories().compactMap { try? Journal.open(directory: $0) }
    }
}
