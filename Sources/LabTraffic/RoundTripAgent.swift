#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Histogram
import LabNetwork
import LabSystem

/// What a client agent prints as its last line of stdout (JSON), read back by the drivers.
public struct AgentReport: Codable, Sendable, Equatable {
    /// Completed round trips (latency) or successful connects (connect).
    public var completed: Int
    /// Requests with no answer within the per-request timeout, or failed connects.
    public var failed: Int
    public var elapsedSeconds: Double
    public var p50Microseconds: Double
    public var p90Microseconds: Double
    public var p99Microseconds: Double
    public var p999Microseconds: Double
    public var meanMicroseconds: Double
    public var maxMicroseconds: Double
    /// The first error seen, if any (e.g. "connect to 198.18.1.1:7003: Connection refused").
    public var firstError: String?
    /// The distribution as a percentile ladder (`LatencyRecorder.ladder`); nil from an agent that
    /// predates it.
    public var percentiles: [PercentileValue]?

    enum CodingKeys: String, CodingKey {
        case completed, failed, percentiles
        case elapsedSeconds = "elapsed_s"
        case p50Microseconds = "p50_us", p90Microseconds = "p90_us", p99Microseconds = "p99_us"
        case p999Microseconds = "p999_us", meanMicroseconds = "mean_us", maxMicroseconds = "max_us"
        case firstError = "first_error"
    }
}

/// One rung of the latency ladder: the round trip at a percentile.
public struct PercentileValue: Codable, Sendable, Equatable {
    public var percentile: Double
    public var microseconds: Double

    public init(percentile: Double, microseconds: Double) {
        self.percentile = percentile
        self.microseconds = microseconds
    }

    enum CodingKeys: String, CodingKey {
        case percentile, microseconds = "us"
    }
}

/// Latency as an HdrHistogram of nanoseconds (3 significant digits, up to 60 s), reduced to the
/// percentiles benchlab reports.
public struct LatencyRecorder {
    var histogram = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000_000,
                                              numberOfSignificantValueDigits: .three)
    public init() {}

    public mutating func record(nanoseconds: UInt64) {
        _ = histogram.record(min(nanoseconds, 60_000_000_000))
    }

    public var count: UInt64 { histogram.totalCount }

    /// The fixed ladder a distribution plot draws: from the minimum (0) to the maximum (100).
    public static let ladder: [Double] = [0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100]

    /// The ladder's rungs the sample count can resolve: percentile p needs at least 1/(1−p) samples
    /// (99.99% needs 10 000), else it only repeats the maximum. Empty without samples.
    public var percentiles: [PercentileValue] {
        let n = Double(histogram.totalCount)
        guard n > 0 else { return [] }
        return LatencyRecorder.ladder.filter { p in p == 0 || p == 100 || n * (1 - p / 100) >= 1 - 1e-9 }.map { p in
            let nanoseconds = p == 0 ? histogram.min : p == 100 ? histogram.max : histogram.valueAtPercentile(p)
            return PercentileValue(percentile: p, microseconds: Double(nanoseconds) / 1000)
        }
    }

    public func report(failed: Int, elapsedSeconds: Double, firstError: String?) -> AgentReport {
        func us(_ percentile: Double) -> Double {
            histogram.totalCount == 0 ? 0 : Double(histogram.valueAtPercentile(percentile)) / 1000
        }
        return AgentReport(completed: Int(histogram.totalCount), failed: failed, elapsedSeconds: elapsedSeconds,
                           p50Microseconds: us(50), p90Microseconds: us(90), p99Microseconds: us(99),
                           p999Microseconds: us(99.9),
                           meanMicroseconds: histogram.totalCount == 0 ? 0 : histogram.mean / 1000,
                           maxMicroseconds: histogram.totalCount == 0 ? 0 : Double(histogram.max) / 1000,
                           firstError: firstError, percentiles: percentiles)
    }
}

/// The server side of the latency and connect workloads: echoes UDP datagrams, or accepts TCP
/// connections one at a time and echoes until the peer closes. Runs until `deadline` (a hard bound,
/// so a server left behind by a crashed run exits on its own).
public enum RoundTripServer {
    public static func serve(protocol transport: TransportProtocol, bind endpoint: Endpoint, deadline seconds: Double,
                             ready: () -> Void) throws {
        let deadline = Deadline(secondsFromNow: seconds)
        switch transport {
        case .udp:
            let socket = try Socket(.udp)
            try socket.bind(endpoint)
            ready()
            var buffer = [UInt8](repeating: 0, count: 65536)
            var peer = sockaddr_storage()
            while !deadline.hasPassed {
                guard socket.waitReadable(milliseconds: 200) else { continue }
                var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
                let n = buffer.withUnsafeMutableBytes { bytes in
                    withUnsafeMutablePointer(to: &peer) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                            recvfrom(socket.fd, bytes.baseAddress, bytes.count, 0, $0, &length)
                        }
                    }
                }
                guard n > 0 else { continue }
                _ = buffer.withUnsafeBytes { bytes in
                    withUnsafePointer(to: &peer) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(socket.fd, bytes.baseAddress, n, 0, $0, length) }
                    }
                }
            }
        case .tcp:
            let listener = try Socket(.tcp)
            try listener.bind(endpoint)
            try listener.listen()
            ready()
            var buffer = [UInt8](repeating: 0, count: 65536)
            while !deadline.hasPassed {
                guard listener.waitReadable(milliseconds: 200), let connection = try? listener.accept() else { continue }
                try? connection.setOption(Int32(IPPROTO_TCP), TCP_NODELAY, 1, "TCP_NODELAY")
                while !deadline.hasPassed {
                    guard connection.waitReadable(milliseconds: 200) else { continue }
                    let n = buffer.withUnsafeMutableBytes { Glibc.recv(connection.fd, $0.baseAddress, $0.count, 0) }
                    if n <= 0 { break }
                    guard (try? buffer.withUnsafeBytes({ try connection.sendAll(UnsafeRawBufferPointer(rebasing: $0[0..<n])) })) != nil else { break }
                }
            }
        }
    }
}

/// Request/response round trips, one in flight: the latency a single transaction sees through the
/// filter. Stops after `count` round trips or `duration` seconds, whichever comes first.
public enum RoundTripClient {
    /// A request with no answer in this time counts as failed (UDP) and the next one is sent.
    static let requestTimeout = 0.2

    /// `source`: bind to this local address first (a client-pool address, for probes and flows that
    /// must come from a particular source).
    public static func run(protocol transport: TransportProtocol, target: Endpoint, payload: Int, count: Int,
                           duration: Double, source: String? = nil) throws -> AgentReport {
        var recorder = LatencyRecorder()
        var failed = 0
        var firstError: String?
        let start = MonotonicClock.nanoseconds()
        let deadline = Deadline(secondsFromNow: duration)
        var request = [UInt8](repeating: 0x5a, count: max(payload, 8))
        var reply = [UInt8](repeating: 0, count: max(payload, 8) + 64)
        let socket = try Socket(transport == .tcp ? .tcp : .udp)
        if transport == .tcp { try socket.setOption(Int32(IPPROTO_TCP), TCP_NODELAY, 1, "TCP_NODELAY") }
        try socket.setReceiveTimeout(requestTimeout)
        if let source { try socket.bind(Endpoint(host: source, port: 0)) }
        try socket.connect(target)
        var sequence: UInt64 = 0
        while Int(recorder.count) + failed < count && !deadline.hasPassed {
            sequence += 1
            withUnsafeBytes(of: sequence) { request.replaceSubrange(0..<8, with: $0) }
            let sent = MonotonicClock.nanoseconds()
            do {
                try request.withUnsafeBytes { try socket.sendAll($0) }
                let ok = try receiveReply(socket, &reply, expected: request.count, sequence: sequence, deadline: sent)
                if ok {
                    recorder.record(nanoseconds: MonotonicClock.nanoseconds() - sent)
                } else {
                    failed += 1
                    if transport == .tcp { break }
                }
            } catch {
                failed += 1
                firstError = firstError ?? error.oneLine
                if transport == .tcp { break }
            }
        }
        let elapsed = Double(MonotonicClock.nanoseconds() - start) / 1e9
        return recorder.report(failed: failed, elapsedSeconds: elapsed, firstError: firstError)
    }

    /// UDP: waits for the datagram carrying `sequence` (late replies to earlier requests are skipped).
    /// TCP: reads the whole echoed request. False on timeout or EOF.
    private static func receiveReply(_ socket: Socket, _ reply: inout [UInt8], expected: Int, sequence: UInt64,
                                     deadline sent: UInt64) throws -> Bool {
        if socket.kind == .tcp {
            do {
                return try reply.withUnsafeMutableBytes { try socket.receiveExactly($0, count: expected) }
            } catch let error as SystemCallError where error.errno == EAGAIN {
                return false
            }
        }
        while Double(MonotonicClock.nanoseconds() - sent) / 1e9 < requestTimeout {
            let n = reply.withUnsafeMutableBytes { Glibc.recv(socket.fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EAGAIN || errno == EINTR { return false }
                throw SystemCallError("receive reply", errno: errno)
            }
            if n >= 8, reply.withUnsafeBytes({ $0.loadUnaligned(as: UInt64.self) }) == sequence { return true }
        }
        return false
    }
}

/// TCP handshakes, one at a time: connect time (SYN to SYN-ACK seen by the client) and new
/// connections per second. The connection is closed right away; the server side just accepts.
public enum ConnectClient {
    public static func run(target: Endpoint, count: Int, duration: Double) throws -> AgentReport {
        var recorder = LatencyRecorder()
        var failed = 0
        var firstError: String?
        let start = MonotonicClock.nanoseconds()
        let deadline = Deadline(secondsFromNow: duration)
        while Int(recorder.count) + failed < count && !deadline.hasPassed {
            do {
                let socket = try Socket(.tcp)
                let begin = MonotonicClock.nanoseconds()
                try socket.connect(target)
                recorder.record(nanoseconds: MonotonicClock.nanoseconds() - begin)
            } catch {
                failed += 1
                firstError = firstError ?? error.oneLine
                // A refused or unreachable target fails fast; don't spin on it.
                if failed > 100 && recorder.count == 0 { break }
            }
        }
        let elapsed = Double(MonotonicClock.nanoseconds() - start) / 1e9
        return recorder.report(failed: failed, elapsedSeconds: elapsed, firstError: firstError)
    }
}
