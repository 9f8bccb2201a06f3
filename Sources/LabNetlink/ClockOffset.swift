#if canImport(Glibc)
import Glibc
#endif

/// CLOCK_REALTIME − CLOCK_MONOTONIC, measured once: the kernel stamps a conntrack entry's deletion
/// in wall-clock nanoseconds, and every time in benchlab is monotonic. Read from the tightest of a
/// few bracketed samples, so the error is well under a microsecond (an NTP step during the run
/// would shift it; the lab's runs are minutes long).
public struct ClockOffset: Sendable, Equatable {
    public let realtimeMinusMonotonicNanoseconds: Int64

    public init(realtimeMinusMonotonicNanoseconds: Int64) {
        self.realtimeMinusMonotonicNanoseconds = realtimeMinusMonotonicNanoseconds
    }

    public static func measure() -> ClockOffset {
        var best: (width: Int64, offset: Int64) = (.max, 0)
        for _ in 0..<5 {
            let before = read(CLOCK_MONOTONIC)
            let real = read(CLOCK_REALTIME)
            let after = read(CLOCK_MONOTONIC)
            if after - before < best.width { best = (after - before, real - (before + (after - before) / 2)) }
        }
        return ClockOffset(realtimeMinusMonotonicNanoseconds: best.offset)
    }

    /// The monotonic time of a wall-clock stamp (0 if it would fall before boot).
    public func monotonic(fromRealtime nanoseconds: UInt64) -> UInt64 {
        let value = Int64(bitPattern: nanoseconds) - realtimeMinusMonotonicNanoseconds
        return value > 0 ? UInt64(value) : 0
    }

    private static func read(_ clock: clockid_t) -> Int64 {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
