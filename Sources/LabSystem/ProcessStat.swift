/// The two fields of /proc/<pid>/stat that decide whether a journal's owner still runs: its state
/// and its start time. proc(5): "pid (comm) state ppid … starttime(22) …".
public struct ProcessStat: Sendable, Equatable {
    /// Field 3: R, S, D, Z, T, t, X, I…
    public let state: Character
    /// Field 22: start time in clock ticks since boot.
    public let startTime: UInt64

    /// Nil for a line that is not a stat line. The comm field may hold spaces and parentheses (a
    /// process may name itself "a) Z (b"), so the fields are counted from the *last* ')'.
    public init?(line: String) {
        guard let close = line.lastIndex(of: ")") else { return nil }
        let fields = line[line.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        // fields[0] is field 3 (state), fields[19] is field 22 (starttime).
        guard fields.count > 19, fields[0].count == 1, let state = fields[0].first,
              let startTime = UInt64(fields[19]) else { return nil }
        self.state = state
        self.startTime = startTime
    }

    /// The stat of a live pid, or nil when it is gone (or /proc cannot be read).
    public static func read(pid: Int32) -> ProcessStat? {
        guard let line = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return nil }
        return ProcessStat(line: line)
    }

    /// A zombie (Z) has exited and only waits for its parent to reap it; X is the instant of reaping.
    /// Under a container init that never reaps, a crashed run's owner stays a zombie indefinitely:
    /// it must count as dead, or `clean` would leave its lab alone forever.
    public var hasExited: Bool { state == "Z" || state == "X" }
}
