#if canImport(Glibc)
import Glibc
#endif
import LabNetwork
import LabSystem

/// The client side of `masquerade-delay` (`benchlab agent first-connect`, in the client namespace):
/// from one new pod address, a fresh non-blocking connect every `interval`, each abandoned after
/// `attemptTimeout`, until one opens or the deadline passes. It prints "ready" once the first attempt
/// is on the wire, so the driver can program the gateway while the attempts keep coming, and reports
/// CLOCK_MONOTONIC times (system-wide, so the driver compares them with its own).
public enum FirstConnectClient {
    public struct Options: Sendable {
        public var source: IPv4Address
        public var target: Endpoint
        public var interval: Double
        public var attemptTimeout: Double
        public var deadlineSeconds: Double
    }

    public static func run(_ options: Options, ready: () -> Void) throws -> FirstConnectReport {
        let attempts = ConnectAttempts(target: options.target, timeout: options.attemptTimeout)
        defer { attempts.abandonAll() }
        let deadline = Deadline(secondsFromNow: options.deadlineSeconds)
        let interval = UInt64(options.interval * 1e9)
        // At most this many in flight: one per interval of an attempt's life.
        let window = max(1, Int((options.attemptTimeout / options.interval).rounded(.up)) + 1)
        var count = 0
        var failed = 0
        var firstError: String?
        let firstAt = MonotonicClock.nanoseconds()
        var nextAt = firstAt
        while !deadline.hasPassed {
            try Cancellation.shared.checkpoint()
            let now = MonotonicClock.nanoseconds()
            if now >= nextAt && attempts.inFlight < window {
                if let (_, message) = attempts.start(from: options.source) {
                    failed += 1
                    firstError = firstError ?? message
                }
                count += 1
                if count == 1 { ready() }
                nextAt += interval
                if nextAt < now { nextAt = now + interval }
            }
            let settled = attempts.poll(milliseconds: 1)
            failed += settled.failed.count
            firstError = firstError ?? settled.firstError
            if !settled.opened.isEmpty {
                let at = MonotonicClock.nanoseconds()
                for (socket, _) in settled.opened { socket.closeWithReset() }
                return FirstConnectReport(firstAttemptNanoseconds: firstAt, firstSuccessNanoseconds: at, attempts: count,
                                          failed: failed, firstError: firstError)
            }
        }
        return FirstConnectReport(firstAttemptNanoseconds: firstAt, firstSuccessNanoseconds: nil, attempts: count, failed: failed,
                                  firstError: firstError)
    }
}

/// What `benchlab agent first-connect` prints.
public struct FirstConnectReport: Codable, Sendable, Equatable {
    public var firstAttemptNanoseconds: UInt64
    /// When the first connection opened (CLOCK_MONOTONIC); nil when none did before the deadline.
    public var firstSuccessNanoseconds: UInt64?
    public var attempts: Int
    public var failed: Int
    public var firstError: String?

    public init(firstAttemptNanoseconds: UInt64, firstSuccessNanoseconds: UInt64?, attempts: Int, failed: Int, firstError: String?) {
        self.firstAttemptNanoseconds = firstAttemptNanoseconds
        self.firstSuccessNanoseconds = firstSuccessNanoseconds
        self.attempts = attempts
        self.failed = failed
        self.firstError = firstError
    }

    enum CodingKeys: String, CodingKey {
        case attempts, failed
        case firstAttemptNanoseconds = "first_attempt_ns", firstSuccessNanoseconds = "first_success_ns", firstError = "first_error"
    }
}
