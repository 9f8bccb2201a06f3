#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LabNetwork
import LabSystem

/// The client side of `snat-exhaustion` (`benchlab agent snat-ramp`, in the client namespace): opens
/// the ramp's connections step by step from the pods' addresses round-robin and holds every one that
/// opened; then releases them all and times how long until a new connection gets through again.
///
/// The driver paces it: between steps it reads the translators' counters, so each step waits until the
/// control file holds the step's number (`SNATRampControl`), and the agent prints `step N` when the
/// step is done. After the last step, the next number means "release".
public enum SNATRampClient {
    public struct Options: Sendable {
        public var sources: [IPv4Address]
        public var target: Endpoint
        public var totals: [Int]
        public var concurrency: Int
        public var connectTimeout: Double
        public var recoveryInterval: Double
        public var recoveryTimeout: Double
        public var controlFile: String
        public var deadlineSeconds: Double
    }

    public static func run(_ options: Options, ready: () -> Void) throws -> SNATRampReport {
        // Every held connection is a descriptor; the default limit (1024, or 20000 hard) is far below a range.
        try FileLimit.raiseAsRoot(toAtLeast: (options.totals.last ?? 0) + options.concurrency + 256)
        let deadline = Deadline(secondsFromNow: options.deadlineSeconds)
        let control = SNATRampControl(path: options.controlFile)
        var held: [Socket] = []
        var steps: [SNATRampStep] = []
        var allConnect: [UInt64] = []
        var nextSource = 0
        var firstError: String?
        ready()
        for (k, total) in options.totals.enumerated() {
            try control.wait(for: k + 1, deadline)
            let liveBefore = prune(&held)
            let started = MonotonicClock.nanoseconds()
            let attempts = ConnectAttempts(target: options.target, timeout: options.connectTimeout)
            let wanted = total - (k == 0 ? 0 : options.totals[k - 1])
            var begun = 0
            var failed = FailureCounts()
            var connect: [UInt64] = []
            while begun < wanted || attempts.inFlight > 0 {
                try Cancellation.shared.checkpoint()
                if deadline.hasPassed { throw LabFailure("snat-ramp: deadline passed in step \(k + 1)") }
                while begun < wanted && attempts.inFlight < options.concurrency {
                    let source = options.sources[nextSource % options.sources.count]
                    nextSource += 1
                    begun += 1
                    if let (failure, message) = attempts.start(from: source) {
                        failed.add(failure)
                        firstError = firstError ?? message
                    }
                }
                let settled = attempts.poll(milliseconds: 5)
                for (socket, nanoseconds) in settled.opened {
                    held.append(socket)
                    connect.append(nanoseconds)
                }
                for failure in settled.failed { failed.add(failure) }
                firstError = firstError ?? settled.firstError
            }
            let liveAfter = prune(&held)
            allConnect += connect
            steps.append(SNATRampStep(attempted: wanted, succeeded: connect.count, failed: failed, liveBefore: liveBefore,
                                      liveAfter: liveAfter, connectP99Milliseconds: Percentile.of(connect, 0.99).map { Double($0) / 1e6 },
                                      seconds: Double(MonotonicClock.nanoseconds() - started) / 1e9))
            print("step \(k + 1)")
            fflush(nil)
        }
        try control.wait(for: options.totals.count + 1, deadline)
        let released = held.count
        for socket in held { socket.closeWithReset() }
        held.removeAll()
        let releasedAt = MonotonicClock.nanoseconds()
        let recovery = try recover(options, from: nextSource, deadline)
        return SNATRampReport(steps: steps, released: released,
                              recoveryMilliseconds: recovery.succeededAt.map { Double($0 - releasedAt) / 1e6 },
                              recoveryAttempts: recovery.attempts,
                              connectP99Milliseconds: Percentile.of(allConnect, 0.99).map { Double($0) / 1e6 }, firstError: firstError)
    }

    /// Drops held connections that are no longer open and returns how many are.
    private static func prune(_ held: inout [Socket]) -> Int {
        held.removeAll { !$0.isOpen }
        return held.count
    }

    /// One new connection every `recoveryInterval` (each with the connect bound) until one opens or
    /// `recoveryTimeout` passes; every socket it opened is closed with RST on the way out.
    private static func recover(_ options: Options, from firstSource: Int, _ deadline: Deadline) throws -> (succeededAt: UInt64?, attempts: Int) {
        let attempts = ConnectAttempts(target: options.target, timeout: options.connectTimeout)
        defer { attempts.abandonAll() }
        let end = Deadline(secondsFromNow: options.recoveryTimeout)
        let interval = UInt64(options.recoveryInterval * 1e9)
        var nextAt = MonotonicClock.nanoseconds()
        var source = firstSource
        var count = 0
        while !end.hasPassed && !deadline.hasPassed {
            try Cancellation.shared.checkpoint()
            if MonotonicClock.nanoseconds() >= nextAt {
                _ = attempts.start(from: options.sources[source % options.sources.count])
                source += 1
                count += 1
                nextAt += interval
            }
            let settled = attempts.poll(milliseconds: 2)
            if let opened = settled.opened.first {
                let at = MonotonicClock.nanoseconds()
                for (socket, _) in settled.opened { socket.closeWithReset() }
                _ = opened
                return (at, count)
            }
        }
        return (nil, count)
    }
}

/// The driver's side of the pacing: the control file holds the highest step the agent may run.
public struct SNATRampControl: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// Allows steps up to `step` (written whole through a rename, so the agent never reads half a number).
    public func allow(_ step: Int) throws {
        let temporary = path + ".tmp"
        try Data("\(step)\n".utf8).write(to: URL(fileURLWithPath: temporary))
        try systemCall("rename \(temporary)") { rename(temporary, path) }
    }

    func wait(for step: Int, _ deadline: Deadline) throws {
        while (try? String(contentsOfFile: path, encoding: .utf8)).flatMap({ Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) ?? 0 < step {
            try Cancellation.shared.checkpoint()
            if deadline.hasPassed { throw LabFailure("snat-ramp: the driver never allowed step \(step)") }
            usleep(1_000)
        }
    }
}

/// A percentile of nanosecond values by nearest rank; nil for none.
enum Percentile {
    static func of(_ values: [UInt64], _ p: Double) -> UInt64? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1))]
    }
}
