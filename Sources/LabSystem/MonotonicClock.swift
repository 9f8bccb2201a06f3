#if canImport(Glibc)
import Glibc
#endif

/// CLOCK_MONOTONIC in nanoseconds: the clock every duration in benchlab is measured with.
public enum MonotonicClock {
    public static func nanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    public static func seconds() -> Double { Double(nanoseconds()) / 1e9 }

    /// Runs `body` and returns its result with the elapsed time in milliseconds.
    public static func measure<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let start = nanoseconds()
        let value = try body()
        return (value, Double(nanoseconds() - start) / 1e6)
    }
}

/// A point in time after which a bounded loop must stop.
public struct Deadline: Sendable {
    public let nanoseconds: UInt64
    public init(secondsFromNow seconds: Double) {
        nanoseconds = MonotonicClock.nanoseconds() + UInt64(max(0, seconds) * 1e9)
    }
    public var hasPassed: Bool { MonotonicClock.nanoseconds() >= nanoseconds }
    public var remainingSeconds: Double {
        let now = MonotonicClock.nanoseconds()
        return now >= nanoseconds ? 0 : Double(nanoseconds - now) / 1e9
    }
}
