#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LabConntrack
import LabNetwork
import LabSystem

/// Short connections at a rate (`benchlab agent churn-client`, in the client namespace): each one a
/// fresh 5-tuple from a `FlowFillPlan` walk (explicit source address and port, so no tuple repeats
/// while earlier ones linger in TIME_WAIT or in a tracker), with at most `concurrency` in flight.
/// TCP: connect, one small request/response, close. UDP: a fresh socket, one request/response.
/// Non-blocking sockets in one poll(2) loop: a slow handshake holds a slot, not the generator.
public enum ConnectionChurn {
    /// Request and reply bytes: small, one segment each way.
    static let requestBytes = 16

    public struct Options: Sendable {
        public var transport: TransportProtocol
        public var plan: FlowFillPlan
        /// Attempts per second, 0 = as fast as `concurrency` allows.
        public var rate: Int
        public var durationSeconds: Double
        /// At most this many attempts (also bounded by the plan's flows).
        public var count: Int
        public var concurrency: Int
        public var connectTimeout: Double
        public var replyTimeout: Double
    }

    private struct Attempt {
        let socket: Socket
        var connecting: Bool
        let started: UInt64
        var sentAt: UInt64
        var received: Int
    }

    public static func run(_ options: Options) throws -> ChurnReport {
        var openTimes = LatencyRecorder()
        var failures = FailureCounts()
        var timeline = OutcomeTimeline()
        var firstError: String?
        var attempted = 0
        var succeeded = 0
        var inFlight: [Attempt] = []
        var entries: [pollfd] = []
        var reply = [UInt8](repeating: 0, count: 2048)
        let request = [UInt8](repeating: 0x63, count: requestBytes)
        let limit = min(options.count, options.plan.count)
        let pacer = Pacer(packetsPerSecond: options.rate)
        let deadline = Deadline(secondsFromNow: options.durationSeconds)
        let start = MonotonicClock.nanoseconds()
        let connectBound = UInt64(options.connectTimeout * 1e9)
        let replyBound = UInt64(options.replyTimeout * 1e9)

        func fail(_ failure: FlowFailure, _ detail: @autoclosure () -> String) {
            failures.add(failure)
            timeline.record(success: false, atNanoseconds: MonotonicClock.nanoseconds() - start)
            if failure == .other { firstError = firstError ?? detail() }
        }

        /// TCP: the request goes out once connected; UDP: at once.
        func sendRequest(_ attempt: inout Attempt) -> Bool {
            let n = request.withUnsafeBytes { Glibc.send(attempt.socket.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            guard n == requestBytes else {
                fail(FlowFailure.from(errno: errno, connecting: false), "send: \(String(cString: strerror(errno)))")
                return false
            }
            attempt.sentAt = MonotonicClock.nanoseconds()
            return true
        }

        while true {
            let stopping = deadline.hasPassed || Cancellation.shared.isCancelled || attempted >= limit
            if stopping && inFlight.isEmpty { break }
            if !stopping {
                let due = Int(pacer.due(afterNanoseconds: MonotonicClock.nanoseconds() - start, sent: UInt64(attempted)))
                let room = min(due, options.concurrency - inFlight.count, limit - attempted)
                for _ in 0..<max(room, 0) {
                    let flow = options.plan.flow(attempted)
                    attempted += 1
                    do {
                        var attempt = try open(flow, options.transport)
                        if options.transport == .udp {
                            if sendRequest(&attempt) { inFlight.append(attempt) }
                        } else {
                            inFlight.append(attempt)
                        }
                    } catch let error as SystemCallError {
                        fail(FlowFailure.from(errno: error.errno, connecting: true), error.oneLine)
                    }
                }
            }
            entries.removeAll(keepingCapacity: true)
            for attempt in inFlight {
                entries.append(pollfd(fd: attempt.socket.fd, events: Int16(attempt.connecting ? POLLOUT : POLLIN), revents: 0))
            }
            let wait: Int32 = options.rate > 0 || inFlight.count >= options.concurrency || stopping ? 1 : 0
            _ = entries.withUnsafeMutableBufferPointer { Glibc.poll($0.baseAddress, nfds_t($0.count), wait) }
            let now = MonotonicClock.nanoseconds()
            var finished: [Int] = []
            for (i, entry) in entries.enumerated() {
                var attempt = inFlight[i]
                if entry.revents == 0 {
                    if attempt.connecting && now - attempt.started > connectBound {
                        fail(.connectTimeout, "")
                        finished.append(i)
                    } else if !attempt.connecting && now - attempt.sentAt > replyBound {
                        fail(.replyTimeout, "")
                        finished.append(i)
                    }
                    continue
                }
                if attempt.connecting {
                    let code = attempt.socket.pendingError()
                    guard code == 0 else {
                        fail(FlowFailure.from(errno: code, connecting: true), "connect: \(String(cString: strerror(code)))")
                        finished.append(i)
                        continue
                    }
                    openTimes.record(nanoseconds: now - attempt.started)
                    attempt.connecting = false
                    if !sendRequest(&attempt) { finished.append(i) }
                    inFlight[i] = attempt
                    continue
                }
                let n = reply.withUnsafeMutableBytes { Glibc.recv(attempt.socket.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                if n > 0 {
                    attempt.received += n
                    inFlight[i] = attempt
                    if attempt.received >= requestBytes {
                        // UDP has no handshake: its open time is the first response's.
                        if options.transport == .udp { openTimes.record(nanoseconds: now - attempt.sentAt) }
                        succeeded += 1
                        timeline.record(success: true, atNanoseconds: now - start)
                        finished.append(i)
                    }
                } else if n == 0 {
                    fail(.reset, "")
                    finished.append(i)
                } else if errno != EAGAIN && errno != EINTR {
                    fail(FlowFailure.from(errno: errno, connecting: false), "receive: \(String(cString: strerror(errno)))")
                    finished.append(i)
                }
            }
            // Closing drops the socket: TCP sends its FIN, the client end goes to TIME_WAIT.
            for i in finished.reversed() { inFlight.remove(at: i) }
        }
        let elapsed = Double(MonotonicClock.nanoseconds() - start) / 1e9
        return ChurnReport(transport: options.transport, attempted: attempted, succeeded: succeeded, failed: failures,
                           elapsedSeconds: elapsed, open: openTimes.report(failed: 0, elapsedSeconds: elapsed, firstError: nil),
                           openBuckets: openTimes.buckets, timeline: timeline, firstError: firstError)
    }

    /// A non-blocking socket bound to the flow's source address and port, connecting to its destination.
    private static func open(_ flow: TrackedFlow, _ transport: TransportProtocol) throws -> Attempt {
        let socket = try Socket(transport == .tcp ? .tcp : .udp)
        try socket.setNonBlocking()
        if transport == .tcp { try socket.setOption(Int32(IPPROTO_TCP), TCP_NODELAY, 1, "TCP_NODELAY") }
        try socket.bind(Endpoint(host: "\(flow.source)", port: flow.sourcePort))
        let started = MonotonicClock.nanoseconds()
        do {
            try socket.connect(Endpoint(host: "\(flow.destination)", port: flow.destinationPort))
        } catch let error as SystemCallError where error.errno == EINPROGRESS {}
        return Attempt(socket: socket, connecting: transport == .tcp, started: started, sentAt: started, received: 0)
    }
}

/// What the churn client prints as its one line of JSON.
public struct ChurnReport: Codable, Sendable, Equatable {
    public var transport: TransportProtocol
    public var attempted: Int
    public var succeeded: Int
    public var failed: FailureCounts
    public var elapsedSeconds: Double
    /// Open time: TCP connect() to established; UDP request to first response. Only `completed` and
    /// the percentiles are meaningful here.
    public var open: AgentReport
    /// The open-time histogram as (ns, count) pairs, so several clients' reports merge exactly.
    public var openBuckets: [[UInt64]]
    /// Successes and failures per 100 ms, by when each attempt ended.
    public var timeline: OutcomeTimeline
    public var firstError: String?

    /// Attempts that completed their request/response, per second over the run.
    public var achievedRate: Double { elapsedSeconds > 0 ? Double(succeeded) / elapsedSeconds : 0 }

    enum CodingKeys: String, CodingKey {
        case transport = "protocol", attempted, succeeded, failed, open, timeline
        case openBuckets = "open_histogram"
        case elapsedSeconds = "elapsed_s", firstError = "first_error"
    }
}

extension Socket {
    /// SO_ERROR: the outcome of a non-blocking connect.
    func pendingError() -> Int32 {
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length) == 0 else { return errno }
        return code
    }
}
