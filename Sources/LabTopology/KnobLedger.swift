#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LabSystem

/// Global kernel knobs (sysctls that are not per-namespace, such as net.netfilter.nf_conntrack_max)
/// shared by every concurrent run. The first run to change a knob records its original value; later
/// runs join as holders; the last holder to leave restores it. The ledger is a small JSON file under
/// an flock, so two runs — or a run and `clean` — never restore a value the other still needs.
public struct KnobLedger {
    public struct Entry: Codable, Equatable, Sendable {
        public var original: String
        public var value: String
        public var holders: [String]
    }

    public let directory: String
    /// Where sysctl values are read and written; tests point it at a scratch directory.
    public let procSys: String

    public init(directory: String = LabNames.stateDirectory, procSys: String = "/proc/sys") {
        self.directory = directory
        self.procSys = procSys
    }

    var ledgerPath: String { "\(directory)/knobs.json" }

    public func entries() throws -> [String: Entry] { try locked { try load() } }

    /// Sets `key` to `value` on behalf of `holder` (a run or lab id). Fails if another live holder
    /// needs a different value, since silently overriding it would change that run's conditions.
    public func acquire(_ key: String, value: String, holder: String) throws {
        try locked {
            var table = try load()
            if var entry = table[key] {
                guard entry.value == value else {
                    throw LabFailure("\(key) is held at \(entry.value) by \(entry.holders.joined(separator: ", ")); this run needs \(value)")
                }
                if !entry.holders.contains(holder) { entry.holders.append(holder) }
                table[key] = entry
            } else {
                let original = try read(key)
                table[key] = Entry(original: original, value: value, holders: [holder])
                try save(table)
                try write(key, value)
                return
            }
            try save(table)
        }
    }

    /// Drops `holder`; restores the original value when nobody holds the knob any more.
    public func release(_ key: String, holder: String) throws {
        try locked {
            var table = try load()
            guard var entry = table[key] else { return }
            entry.holders.removeAll { $0 == holder }
            if entry.holders.isEmpty {
                try write(key, entry.original)
                table[key] = nil
            } else {
                table[key] = entry
            }
            try save(table)
        }
    }

    /// Releases every holder not in `live` (runs that died); returns the knobs restored.
    @discardableResult
    public func releaseAll(except live: Set<String>) throws -> [String] {
        try locked {
            var table = try load()
            var restored: [String] = []
            for (key, var entry) in table {
                entry.holders.removeAll { !live.contains($0) }
                if entry.holders.isEmpty {
                    try write(key, entry.original)
                    table[key] = nil
                    restored.append("\(key)=\(entry.original)")
                } else {
                    table[key] = entry
                }
            }
            try save(table)
            return restored.sorted()
        }
    }

    public func read(_ key: String) throws -> String {
        let path = sysctlPath(key)
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw LabFailure("cannot read sysctl \(key) (\(path))", exitStatus: .missingFeature)
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func write(_ key: String, _ value: String) throws {
        let path = sysctlPath(key)
        let fd = try systemCall("open sysctl \(key) for writing") { open(path, O_WRONLY | O_TRUNC | O_CLOEXEC) }
        defer { close(fd) }
        let bytes = Array(value.utf8)
        try systemCall("set sysctl \(key)=\(value)") { Glibc.write(fd, bytes, bytes.count) }
    }

    func sysctlPath(_ key: String) -> String { "\(procSys)/" + key.replacingOccurrences(of: ".", with: "/") }

    private func load() throws -> [String: Entry] {
        guard let data = FileManager.default.contents(atPath: ledgerPath), !data.isEmpty else { return [:] }
        do { return try JSONDecoder().decode([String: Entry].self, from: data) } catch {
            throw LabFailure("\(ledgerPath) is corrupt (\(error)); fix or delete it, then run benchlab clean")
        }
    }

    private func save(_ table: [String: Entry]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(table), to: ledgerPath)
    }

    private func locked<T>(_ body: () throws -> T) throws -> T {
        try AtomicFile.makeDirectory(directory)
        let lockPath = "\(directory)/knobs.lock"
        let fd = try systemCall("open \(lockPath)") { open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644) }
        defer { close(fd) }
        try systemCall("lock \(lockPath)") { flock(fd, LOCK_EX) }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}
