#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LabSystem
import Synchronization

/// New TCP connections opened at a steady pace from inside the client's namespace, each with its own
/// socket and a short bound, timed against one monotonic clock: what "time until new connections
/// succeed through the other gateway" is measured with. A churn agent records outcomes per 100 ms
/// slice of its own clock, which the driver cannot line up with the moment it takes a gateway away;
/// this prober shares the driver's clock, so the failover time is exact to its pace.
final class FailoverProber: @unchecked Sendable {
    struct Attempt: Sendable, Equatable {
        var startedNanoseconds: UInt64
        var endedNanoseconds: UInt64
        var succeeded: Bool
    }

    private let namespace: String
    private let sources: [String]
    private let target: Endpoint
    private let intervalNanoseconds: UInt64
    private let timeoutNanoseconds: UInt64
    private let stopFlag = Atomic<Bool>(false)
    private let finished = Mutex<[Attempt]?>(nil)
    private let failure = Mutex<String?>(nil)
    private var thread: Thread?

    init(namespace: String, sources: [String], target: Endpoint, intervalSeconds: Double, timeoutSeconds: Double) {
        precondition(!sources.isEmpty, "a prober needs a source")
        self.namespace = namespace
        self.sources = sources
        self.target = target
        intervalNanoseconds = UInt64(intervalSeconds * 1e9)
        timeoutNanoseconds = UInt64(timeoutSeconds * 1e9)
    }

    func start() {
        let thread = Thread { [self] in
            do {
                let attempts = try NetworkNamespace.run(in: namespace) { try loop() }
                finished.withLock { $0 = attempts }
            } catch {
                failure.withLock { $0 = "\(error)" }
                finished.withLock { $0 = [] }
            }
        }
        self.thread = thread
        thread.start()
    }

    /// Stops the pacing, waits for the attempts in flight (at most the timeout) and returns them all.
    func stop() throws -> [Attempt] {
        stopFlag.store(true, ordering: .relaxed)
        let deadline = Deadline(secondsFromNow: Double(timeoutNanoseconds) / 1e9 + 5)
        while true {
            if let attempts = finished.withLock({ $0 }) {
                if let message = failure.withLock({ $0 }) { throw LabFailure("failover prober: \(message)") }
                return attempts
            }
            if deadline.hasPassed { throw LabFailure("failover prober did not stop") }
            usleep(2_000)
        }
    }

    private struct Pending {
        var socket: Socket
        var started: UInt64
    }

    private func loop() throws -> [Attempt] {
        var attempts: [Attempt] = []
        var pending: [Pending] = []
        var next = MonotonicClock.nanoseconds()
        var index = 0
        // Bounded: one attempt per interval, and never more than 100k however the pacing behaves.
        while (!stopFlag.load(ordering: .relaxed) || !pending.isEmpty) && attempts.count + pending.count < 100_000 {
            let now = MonotonicClock.nanoseconds()
            if !stopFlag.load(ordering: .relaxed) && now >= next {
                let socket = try Socket(.tcp)
                _ = fcntl(socket.fd, F_SETFL, fcntl(socket.fd, F_GETFL) | O_NONBLOCK)
                try socket.bind(Endpoint(host: sources[index % sources.count], port: 0))
                index += 1
                do { try socket.connect(target) } catch let error as SystemCallError where error.errno == EINPROGRESS {}
                pending.append(Pending(socket: socket, started: now))
                next += intervalNanoseconds
                if next < now { next = now + intervalNanoseconds }
            }
            var fds = pending.map { pollfd(fd: $0.socket.fd, events: Int16(POLLOUT), revents: 0) }
            _ = fds.isEmpty ? Int32(usleep(500)) : Glibc.poll(&fds, nfds_t(fds.count), 1)
            let after = MonotonicClock.nanoseconds()
            var kept: [Pending] = []
            for (entry, item) in zip(fds, pending) {
                if entry.revents != 0 {
                    attempts.append(Attempt(startedNanoseconds: item.started, endedNanoseconds: after,
                                            succeeded: item.socket.pendingError() == 0))
                } else if after - item.started >= timeoutNanoseconds {
                    attempts.append(Attempt(startedNanoseconds: item.started, endedNanoseconds: after, succeeded: false))
                } else {
                    kept.append(item)
                }
            }
            pending = kept
        }
        return attempts
    }
}

/// What a prober's attempts say about a failover whose links went down between `requestedAt` (the
/// `ip` command started) and `downAt` (it returned) — monotonic ns. Pure, unit-tested.
struct FailoverTiming: Equatable {
    /// From `downAt` to the end of the first attempt started after it that succeeded (one started
    /// before it may still have left through the failed gateway); nil if none did.
    var recoveryMilliseconds: Double?
    /// Attempts that failed, among those still in flight at the request or started after it.
    var failedAfter: Int
    var attemptsAfter: Int

    init(_ attempts: [FailoverProber.Attempt], requestedAt: UInt64, downAt: UInt64) {
        let affected = attempts.filter { $0.endedNanoseconds >= requestedAt }
        attemptsAfter = affected.count
        failedAfter = affected.filter { !$0.succeeded }.count
        let firstSuccess = affected.filter { $0.succeeded && $0.startedNanoseconds >= downAt }.map(\.endedNanoseconds).min()
        recoveryMilliseconds = firstSuccess.map { Double($0 - downAt) / 1e6 }
    }
}
