#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LabResults
import LabSystem
import LabTopology

/// CPU busy share sampled every 100 ms through the window, recorded as the series "cpu_busy_share":
/// shows whether the machine was saturated all along or only in bursts, which one busy ratio per
/// window cannot tell.
public final class CPUBusySeriesCollector: WorkloadCollector {
    public static let metrics: [MetricInfo] = []
    public static let seriesName = "cpu_busy_share"
    public static let tickSeconds = 0.1

    private let sampler = Sampler()

    public init(topology: Topology) {}

    /// A workload that throws leaves its window open: the thread must not outlive the collector.
    deinit { _ = sampler.stop() }

    public func open() throws {
        let trace = CPUBusyTrace(start: try CPUTimes.read())
        sampler.start(trace, tick: Self.tickSeconds)
    }

    public func close(workload: String) throws -> CollectedData {
        guard let trace = sampler.stop() else { return CollectedData() }
        return CollectedData(series: [trace.series(workload: workload)])
    }

    /// The background thread reading /proc/stat each tick until stopped.
    private final class Sampler: @unchecked Sendable {
        private let lock = NSCondition()
        private var trace: CPUBusyTrace?
        private var running = false
        private var finished = true
        private var started: UInt64 = 0

        func start(_ trace: CPUBusyTrace, tick: Double) {
            lock.lock()
            self.trace = trace
            running = true
            finished = false
            let started = MonotonicClock.nanoseconds()
            self.started = started
            lock.unlock()
            // Every tick is read; the trace itself keeps every `stride`-th reading once it grows long.
            let thread = Thread { [self] in
                while true {
                    lock.lock()
                    _ = lock.wait(until: Date(timeIntervalSinceNow: tick))
                    guard running, let times = try? CPUTimes.read() else { break }
                    let seconds = Double(MonotonicClock.nanoseconds() - started) / 1e9
                    self.trace?.add(times, at: seconds)
                    lock.unlock()
                }
                finished = true
                lock.broadcast()
                lock.unlock()
            }
            thread.start()
        }

        /// Stops the thread and returns the trace (nil when never started).
        func stop() -> CPUBusyTrace? {
            lock.lock()
            defer { lock.unlock() }
            running = false
            lock.broadcast()
            while !finished { lock.wait() }
            defer { trace = nil }
            // The window's end is always a point, so a window shorter than a tick still has one.
            if trace != nil, let times = try? CPUTimes.read() {
                trace?.finish(times, at: Double(MonotonicClock.nanoseconds() - started) / 1e9)
            }
            return trace
        }
    }
}

/// CPU busy share between consecutive /proc/stat readings, bounded in length: past
/// `maximumPoints` it keeps every other point and doubles `stride`, the readings per point, so a 10-minute
/// window costs no more points than a 1-minute one.
public struct CPUBusyTrace: Sendable, Equatable {
    public static let maximumPoints = 600

    public private(set) var seconds: [Double] = []
    public private(set) var busyShare: [Double] = []
    /// Readings per point: doubles each time the trace is thinned.
    public private(set) var stride = 1
    private var previous: CPUTimes
    private var skipped = 0

    public init(start: CPUTimes) { previous = start }

    /// A reading taken at a tick: kept every `stride` readings.
    public mutating func add(_ times: CPUTimes, at elapsed: Double) {
        skipped += 1
        guard skipped >= stride else { return }
        append(times, at: elapsed)
    }

    /// The reading at the end of the window, kept whatever the stride.
    public mutating func finish(_ times: CPUTimes, at elapsed: Double) {
        append(times, at: elapsed)
    }

    private mutating func append(_ times: CPUTimes, at elapsed: Double) {
        skipped = 0
        let total = times.total &- previous.total
        let busy = times.busy &- previous.busy
        previous = times
        guard total > 0 else { return }
        seconds.append(elapsed)
        busyShare.append(Double(busy) / Double(total))
        if seconds.count >= Self.maximumPoints {
            seconds = seconds.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
            busyShare = busyShare.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
            stride *= 2
        }
    }

    public func series(workload: String) -> Series {
        Series(workload: workload, name: CPUBusySeriesCollector.seriesName, xLabel: "time (s)", yLabel: "CPU busy share",
               x: seconds, y: busyShare)
    }
}
