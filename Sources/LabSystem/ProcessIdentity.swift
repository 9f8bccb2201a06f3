#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A process named by pid *and* start time, so a journal's owner is not mistaken for an unrelated
/// process that later reused its pid.
public struct ProcessIdentity: Codable, Sendable, Equatable {
    public let pid: Int32
    /// Field 22 of /proc/<pid>/stat: start time in clock ticks since boot.
    public let startTime: UInt64

    public init(pid: Int32, startTime: UInt64) {
        self.pid = pid
        self.startTime = startTime
    }

    public static var current: ProcessIdentity {
        ProcessIdentity(pid: getpid(), startTime: startTime(of: getpid()) ?? 0)
    }

    /// Alive means: the pid exists, it is still the same process (same start time), and it has not
    /// exited (a zombie is dead even though its pid and /proc entry remain until it is reaped).
    public var isAlive: Bool {
        guard kill(pid, 0) == 0 || errno == EPERM, let stat = ProcessStat.read(pid: pid) else { return false }
        return stat.startTime == startTime && !stat.hasExited
    }

    static func startTime(of pid: Int32) -> UInt64? { ProcessStat.read(pid: pid)?.startTime }
}

/// Stops processes that are not benchlab's children (so they cannot be waited for): TERM, a short
/// grace period, then KILL for whatever is still there.
public enum ProcessStopper {
    public static func stop(_ pids: [Int32], grace: Double = 1) {
        guard !pids.isEmpty else { return }
        for pid in pids { kill(pid, SIGTERM) }
        let deadline = Deadline(secondsFromNow: grace)
        while !deadline.hasPassed, pids.contains(where: { kill($0, 0) == 0 }) { usleep(20_000) }
        for pid in pids where kill(pid, 0) == 0 { kill(pid, SIGKILL) }
    }
}
