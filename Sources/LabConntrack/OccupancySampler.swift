import Foundation
import LabSystem

/// Reads a tracker's occupancy on a background thread every `interval` seconds until stopped, so a
/// table's fill can be charted over a phase that the caller spends blocked in traffic. A failed read
/// ends the trace (the tracker is gone); the points read until then are kept.
public final class OccupancySampler: @unchecked Sendable {
    public struct Point: Sendable, Equatable {
        /// Seconds since `start`.
        public var seconds: Double
        public var entries: Int
        public var capacity: Int
    }

    private let tracker: any ConnectionTracker
    private let interval: Double
    private let lock = NSCondition()
    private var points: [Point] = []
    private var running = false
    private var finished = true
    private var startNanoseconds: UInt64 = 0
    /// Past this many points every other one is dropped and the interval doubles: a long phase costs
    /// no more memory than a short one.
    public static let maximumPoints = 2000

    public init(tracker: any ConnectionTracker, interval: Double) {
        self.tracker = tracker
        self.interval = interval
    }

    deinit { _ = stop() }

    /// CLOCK_MONOTONIC nanoseconds of the trace's zero.
    public var origin: UInt64 { lock.lock(); defer { lock.unlock() }; return startNanoseconds }

    public func start() {
        lock.lock()
        points = []
        running = true
        finished = false
        startNanoseconds = MonotonicClock.nanoseconds()
        lock.unlock()
        let thread = Thread { [self] in
            var wait = interval
            lock.lock()
            while running {
                read()
                if points.count > Self.maximumPoints {
                    points = points.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
                    wait *= 2
                }
                _ = lock.wait(until: Date(timeIntervalSinceNow: wait))
            }
            finished = true
            lock.broadcast()
            lock.unlock()
        }
        thread.start()
    }

    /// The points so far, without stopping.
    public func snapshot() -> [Point] {
        lock.lock()
        defer { lock.unlock() }
        return points
    }

    /// Stops the thread, takes a last reading and returns every point.
    public func stop() -> [Point] {
        lock.lock()
        defer { lock.unlock() }
        guard running || !finished else { return points }
        running = false
        lock.broadcast()
        while !finished { lock.wait() }
        read()
        return points
    }

    /// Called with the lock held.
    private func read() {
        guard let entries = try? tracker.occupancy(), let capacity = try? tracker.capacity() else { return }
        let seconds = Double(MonotonicClock.nanoseconds() &- startNanoseconds) / 1e9
        points.append(Point(seconds: seconds, entries: entries, capacity: capacity))
    }
}
