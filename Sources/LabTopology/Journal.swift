#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LabSystem

/// One way to undo a change benchlab made to the kernel. Written to the journal *before* the change,
/// so that a crash at any point leaves a journal that `clean` can replay. Every step is idempotent:
/// undoing something that is already gone succeeds.
public enum UndoStep: Codable, Sendable, Equatable, CustomStringConvertible {
    /// `ip netns del`: also destroys every interface, address, route, qdisc, netfilter table,
    /// conntrack entry and attached BPF program inside it.
    case deleteNamespace(String)
    /// A link in the root namespace (used only if a link must be created there).
    case deleteRootLink(String)
    /// Hand a global sysctl back to the knob ledger (restored when no live run holds it).
    case releaseKnob(String)
    /// A bpffs pin or a scratch file/directory.
    case removePath(String)
    /// A child process that outlives a single call (e.g. a server started by `up`).
    case stopProcess(ProcessIdentity)

    public var description: String {
        switch self {
        case .deleteNamespace(let name): return "delete namespace \(name)"
        case .deleteRootLink(let name): return "delete link \(name)"
        case .releaseKnob(let key): return "restore \(key)"
        case .removePath(let path): return "remove \(path)"
        case .stopProcess(let identity): return "stop process \(identity.pid)"
        }
    }
}

/// Who wrote a journal, so `clean` can tell a live run from a dead one.
public struct JournalOwner: Codable, Sendable, Equatable {
    public var process: ProcessIdentity
    public var command: String
    public var startedAt: String
    /// Labs made by `up` outlive their process on purpose; `down` and `clean` remove them.
    public var detached: Bool
}

/// The undo log of one run (or one `up` lab) under /run/benchlab/<id>/. Teardown replays it in
/// reverse on success, on error, on SIGINT/SIGTERM, and from `benchlab clean` after a crash.
public final class Journal: @unchecked Sendable {
    public let id: String
    public let directory: String
    private let lock = NSLock()
    private var steps: [UndoStep]

    var journalPath: String { "\(directory)/journal.jsonl" }
    var ownerPath: String { "\(directory)/owner.json" }

    /// Starts a new journal, owned by this process unless `owner` names another (a test standing in
    /// for a crashed run).
    public static func create(id: String, command: String, detached: Bool = false,
                              root: String = LabNames.stateDirectory, owner process: ProcessIdentity = .current) throws -> Journal {
        let journal = Journal(id: id, directory: "\(root)/\(id)", steps: [])
        try AtomicFile.makeDirectory(journal.directory)
        let owner = JournalOwner(process: process, command: command, startedAt: Timestamp.now(), detached: detached)
        try AtomicFile.write(try JSONEncoder().encode(owner), to: journal.ownerPath)
        try AtomicFile.write("", to: journal.journalPath)
        return journal
    }

    /// Opens an existing journal (for `clean`/`down`).
    public static func open(directory: String) throws -> (Journal, JournalOwner?) {
        let id = (directory as NSString).lastPathComponent
        let text = (try? String(contentsOfFile: "\(directory)/journal.jsonl", encoding: .utf8)) ?? ""
        var steps: [UndoStep] = []
        for line in text.split(separator: "\n") where !line.isEmpty {
            // A torn last line (crash mid-write) is skipped: the action it announced never started.
            if let step = try? JSONDecoder().decode(UndoStep.self, from: Data(line.utf8)) { steps.append(step) }
        }
        let owner = FileManager.default.contents(atPath: "\(directory)/owner.json")
            .flatMap { try? JSONDecoder().decode(JournalOwner.self, from: $0) }
        return (Journal(id: id, directory: directory, steps: steps), owner)
    }

    private init(id: String, directory: String, steps: [UndoStep]) {
        self.id = id
        self.directory = directory
        self.steps = steps
    }

    public var pendingSteps: [UndoStep] { lock.withLock { steps } }

    /// Appends `step` durably. Call it before making the change it undoes.
    public func record(_ step: UndoStep) throws {
        try lock.withLock {
            steps.append(step)
            try append(step)
        }
    }

    /// A position to roll back to: everything recorded after it is undone by `rollback(to:)`.
    public var mark: Int { lock.withLock { steps.count } }

    /// Undoes the steps recorded after `mark`, newest first, and forgets them. Returns the failures
    /// (one line each); a failed step stays journaled so `clean` can retry it.
    @discardableResult
    public func rollback(to mark: Int = 0) -> [String] {
        lock.withLock {
            var failures: [String] = []
            var kept: [UndoStep] = []
            for step in steps[mark...].reversed() {
                do { try UndoExecutor.undo(step, journalId: id) } catch {
                    failures.append("\(step): \(error.oneLine)")
                    kept.append(step)
                }
            }
            steps = Array(steps[..<mark]) + kept.reversed()
            try? rewrite()
            return failures
        }
    }

    /// Rolls everything back and, when nothing failed, removes the journal directory.
    @discardableResult
    public func close() -> [String] {
        let failures = rollback(to: 0)
        if failures.isEmpty { try? FileManager.default.removeItem(atPath: directory) }
        return failures
    }

    private func append(_ step: UndoStep) throws {
        var line = try JSONEncoder().encode(step)
        line.append(0x0a)
        let fd = try systemCall("open \(journalPath)") { Glibc.open(journalPath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644) }
        defer { Glibc.close(fd) }
        _ = try line.withUnsafeBytes { bytes in
            try systemCall("append to \(journalPath)") { write(fd, bytes.baseAddress, bytes.count) }
        }
        try systemCall("fsync \(journalPath)") { fsync(fd) }
    }

    private func rewrite() throws {
        let text = try steps.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) + "\n" }.joined()
        try AtomicFile.write(text, to: journalPath)
    }
}

/// Carries out undo steps. Kept apart from the journal so `clean` and the journal share one path.
public enum UndoExecutor {
    public static func undo(_ step: UndoStep, journalId: String) throws {
        switch step {
        case .deleteNamespace(let name):
            guard Namespaces.exists(name) else { return }
            // Processes inside keep a deleted namespace (and its veths) alive, invisibly: stop them first.
            Namespaces.killProcesses(in: name)
            try Subprocess.run(Command("ip", ["netns", "delete", name]), timeout: 30, cancellable: false)
                .requireSuccess("delete namespace \(name)")
        case .deleteRootLink(let name):
            guard FileManager.default.fileExists(atPath: "/sys/class/net/\(name)") else { return }
            try Subprocess.run(Command("ip", ["link", "delete", name]), timeout: 30, cancellable: false)
                .requireSuccess("delete link \(name)")
        case .releaseKnob(let key):
            try KnobLedger().release(key, holder: journalId)
        case .removePath(let path):
            guard FileManager.default.fileExists(atPath: path) else { return }
            do { try FileManager.default.removeItem(atPath: path) } catch {
                throw LabFailure("remove \(path): \(error.localizedDescription)")
            }
        case .stopProcess(let identity):
            guard identity.isAlive else { return }
            ProcessStopper.stop([identity.pid], grace: 2)
        }
    }
}

/// UTC timestamps as run.json and journals write them.
public enum Timestamp {
    public static func now() -> String { format(Date()) }

    public static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    /// "20261126T171400Z": sortable and safe in a directory name.
    public static func compact(_ date: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }
}
