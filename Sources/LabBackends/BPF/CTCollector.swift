#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LabBPF
import LabConntrack
import LabNetwork
import LabPolicy

/// The swept tracker's garbage collector: a thread started at install and stopped at remove, which
/// sweeps the table (the tracker's, or the SNAT's NAT maps; CTSweep: batch read, batch delete of the
/// expired), waits as `SweepInterval.next` says, records a `SweepRecord` per sweep, logs deleted flows
/// when asked, and measures its own CPU time (CLOCK_THREAD_CPUTIME_ID), the figure the report shows as GC CPU.
final class CTCollector: @unchecked Sendable {
    private let lifetimes: CTLifetimes
    private let settings: SweepSettings
    /// Guards every field below; the thread waits on it between sweeps so stop() wakes it at once.
    private let condition = NSCondition()
    private var table: any SweptTable
    private var records: [SweepRecord] = []
    private var deletions: [TrackedDeletion] = []
    private var logging = false
    private var stopping = false
    private var finished = false
    private var cpuNanoseconds: UInt64 = 0
    private var failure: String?

    init(table: any SweptTable, lifetimes: CTLifetimes, settings: SweepSettings) {
        self.table = table
        self.lifetimes = lifetimes
        self.settings = settings
        let thread = Thread { [self] in run() }
        thread.name = "benchlab-ct-gc"
        thread.start()
    }

    private func run() {
        var interval = settings.intervalMilliseconds
        while true {
            condition.lock()
            let deadline = Date(timeIntervalSinceNow: Double(interval) / 1000)
            while !stopping && condition.wait(until: deadline) {}
            if stopping {
                finished = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let table = self.table
            condition.unlock()

            let sweep: CTSweep
            do {
                sweep = try table.sweep(lifetimes: lifetimes)
            } catch {
                condition.lock()
                failure = "\(error)"
                condition.unlock()
                continue
            }
            interval = SweepInterval.next(after: interval, examined: sweep.examined, deleted: sweep.deleted.count, settings: settings)
            let cpu = Self.threadCPUNanoseconds()
            condition.lock()
            records.append(SweepRecord(startNanoseconds: sweep.startNanoseconds, durationNanoseconds: sweep.durationNanoseconds,
                                       examined: sweep.examined, deleted: sweep.deleted.count, nextIntervalMilliseconds: interval))
            if logging {
                deletions += sweep.deleted.map { key in
                    TrackedDeletion(flow: TrackedFlow(proto: key.proto, source: key.source, destination: key.destination,
                                                      sourcePort: key.sport, destinationPort: key.dport),
                                    monotonicNanoseconds: sweep.deletedAtNanoseconds)
                }
            }
            cpuNanoseconds = cpu
            condition.unlock()
        }
    }

    private static func threadCPUNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    private func locked<T>(_ body: () -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return body()
    }

    /// The table a resize put under the program: the next sweep walks it.
    func sweep(_ table: any SweptTable) { locked { self.table = table } }
    func startLog() { locked { logging = true } }
    func stopLog() { locked { logging = false } }
    func drain() -> [TrackedDeletion] {
        locked {
            defer { deletions = [] }
            return deletions
        }
    }
    var sweeps: [SweepRecord] { locked { records } }
    var cpu: UInt64 { locked { cpuNanoseconds } }
    var lastFailure: String? { locked { failure } }

    /// Stops the thread and waits for it. Idempotent.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }
}
