#if canImport(Glibc)
import Glibc
#endif
import CLabShims
import Foundation
import LabPacket
import LabPolicy
import LabSystem

/// What a probe saw happen to one flow.
public struct ProbeObservation: Codable, Sendable, Equatable {
    public enum Verdict: String, Codable, Sendable {
        /// The server answered (UDP echo, TCP handshake, ICMP echo reply).
        case allowed
        /// Nothing came back within the timeout: the filter dropped it.
        case denied
        /// Something other than silence (e.g. ICMP unreachable): reported, never counted as either.
        case error
    }

    public var verdict: Verdict
    public var detail: String?
    /// For an answered probe, the time from its send to its answer: how close the machine came to
    /// the timeout that decides "denied" (see `ProbeRun.observeAdaptively`).
    public var latencyMicroseconds: Double?

    public init(_ verdict: Verdict, _ detail: String? = nil, latencyMicroseconds: Double? = nil) {
        self.verdict = verdict
        self.detail = detail
        self.latencyMicroseconds = latencyMicroseconds
    }
}

/// The server side of the equivalence probes: a UDP echo socket and a TCP listener on every port
/// the probes use, bound to any address (the server owns the whole service range). ICMP echo is
/// answered by the kernel itself. Exits at `deadline`.
public enum ProbeSink {
    public static func serve(flows: [Flow], deadline seconds: Double, ready: () -> Void) throws {
        let deadline = Deadline(secondsFromNow: seconds)
        var udp: [Socket] = []
        var tcp: [Socket] = []
        for port in Set(flows.filter { $0.proto == .udp }.compactMap(\.destinationPort)).sorted() {
            let socket = try Socket(.udp)
            try socket.bind(Endpoint(host: "0.0.0.0", port: port))
            try systemCall("enable IP_PKTINFO") { lab_enable_pktinfo(socket.fd) }
            udp.append(socket)
        }
        for port in Set(flows.filter { $0.proto == .tcp }.compactMap(\.destinationPort)).sorted() {
            let socket = try Socket(.tcp)
            try socket.bind(Endpoint(host: "0.0.0.0", port: port))
            try socket.listen()
            tcp.append(socket)
        }
        ready()
        let all = udp + tcp
        var fds = all.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
        while !deadline.hasPassed {
            guard Glibc.poll(&fds, nfds_t(fds.count), 100) > 0 else { continue }
            for (index, entry) in fds.enumerated() where entry.revents != 0 {
                let socket = all[index]
                if socket.kind == .udp {
                    _ = lab_udp_echo_from_destination(socket.fd)
                } else if let connection = try? socket.accept() {
                    _ = connection  // the handshake is the answer; closing is enough
                }
                fds[index].revents = 0
            }
        }
    }
}

/// The client side: sends every flow from its own source address — UDP datagram, TCP connect, ICMP
/// echo — in parallel batches, and records what came back before `timeout`. Batches keep the total
/// time near one timeout per batch instead of one per denied flow.
public enum ProbeClient {
    /// A whole probe set of the shipped scenarios (a few hundred flows) fits one batch, so proving
    /// equivalence costs about one timeout per case: with 128 it took three or four, about a fifth of
    /// `quick`'s wall time (measured with the report's phase table, issue 7).
    public static let batchSize = 1024

    public static func run(flows: [Flow], timeout: Double) throws -> [ProbeObservation] {
        try FileLimit.raise(toAtLeast: batchSize + 64)
        var observations: [ProbeObservation] = []
        var start = 0
        while start < flows.count {
            try Cancellation.shared.checkpoint()
            let batch = Array(flows[start..<min(start + batchSize, flows.count)])
            observations += try probe(batch, firstIndex: start, timeout: timeout)
            start += batchSize
        }
        return observations
    }

    private struct Pending {
        var socket: Socket
        var flow: Flow
        var icmpIdentifier: UInt16
        var sentAt: UInt64 = MonotonicClock.nanoseconds()
    }

    private static func probe(_ flows: [Flow], firstIndex: Int, timeout: Double) throws -> [ProbeObservation] {
        var results = [ProbeObservation?](repeating: nil, count: flows.count)
        var pending: [Int: Pending] = [:]
        for (offset, flow) in flows.enumerated() {
            do {
                pending[offset] = try send(flow, identifier: UInt16(truncatingIfNeeded: (firstIndex + offset) ^ Int(getpid())))
            } catch {
                results[offset] = ProbeObservation(.error, error.oneLine)
            }
        }
        let deadline = Deadline(secondsFromNow: timeout)
        while !pending.isEmpty && !deadline.hasPassed {
            let keys = Array(pending.keys)
            var fds = keys.map { key -> pollfd in
                let events = pending[key]!.flow.proto == .tcp ? Int16(POLLOUT) : Int16(POLLIN)
                return pollfd(fd: pending[key]!.socket.fd, events: events, revents: 0)
            }
            guard Glibc.poll(&fds, nfds_t(fds.count), Int32(max(1, deadline.remainingSeconds * 1000))) > 0 else { continue }
            for (position, entry) in fds.enumerated() where entry.revents != 0 {
                let key = keys[position]
                if var observation = observe(pending[key]!) {
                    if observation.verdict == .allowed {
                        observation.latencyMicroseconds = Double(MonotonicClock.nanoseconds() &- pending[key]!.sentAt) / 1000
                    }
                    results[key] = observation
                    pending[key] = nil
                }
            }
        }
        return results.map { $0 ?? ProbeObservation(.denied) }
    }

    private static func send(_ flow: Flow, identifier: UInt16) throws -> Pending {
        let source = Endpoint(host: "\(flow.source)", port: 0)
        let target = Endpoint(host: "\(flow.destination)", port: flow.destinationPort ?? 0)
        switch flow.proto {
        case .udp:
            let socket = try Socket(.udp)
            try socket.bind(source)
            try socket.connect(target)
            var id = identifier
            _ = withUnsafeBytes(of: &id) { Glibc.send(socket.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            return Pending(socket: socket, flow: flow, icmpIdentifier: 0)
        case .tcp:
            let socket = try Socket(.tcp)
            _ = fcntl(socket.fd, F_SETFL, fcntl(socket.fd, F_GETFL) | O_NONBLOCK)
            try socket.bind(source)
            do { try socket.connect(target) } catch let error as SystemCallError where error.errno == EINPROGRESS {}
            return Pending(socket: socket, flow: flow, icmpIdentifier: 0)
        case .icmp:
            let socket = try Socket(raw: Int32(IPPROTO_ICMP))
            try socket.bind(source)
            var packet = ICMPEcho.request(identifier: identifier, sequence: 1)
            var address = target.sockaddr
            let sent = packet.withUnsafeMutableBytes { bytes in
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(socket.fd, bytes.baseAddress, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
            }
            if sent < 0 { throw SystemCallError("send ICMP echo to \(flow.destination)", errno: errno) }
            return Pending(socket: socket, flow: flow, icmpIdentifier: identifier)
        case .any:
            preconditionFailure("a flow has a concrete protocol")
        }
    }

    /// nil while the flow is still undecided (e.g. an unrelated ICMP packet arrived).
    private static func observe(_ pending: Pending) -> ProbeObservation? {
        switch pending.flow.proto {
        case .udp:
            var buffer = [UInt8](repeating: 0, count: 64)
            let n = buffer.withUnsafeMutableBytes { Glibc.recv(pending.socket.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n >= 0 { return ProbeObservation(.allowed) }
            if errno == EAGAIN { return nil }
            return ProbeObservation(.error, String(cString: strerror(errno)))
        case .tcp:
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(pending.socket.fd, SOL_SOCKET, SO_ERROR, &error, &length)
            // Refused means the SYN reached the server and a RST came back: it crossed the filter.
            if error == 0 || error == ECONNREFUSED { return ProbeObservation(.allowed, error == 0 ? nil : "refused") }
            return ProbeObservation(.error, String(cString: strerror(error)))
        case .icmp:
            var buffer = [UInt8](repeating: 0, count: 1500)
            while true {
                let n = buffer.withUnsafeMutableBytes { Glibc.recv(pending.socket.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                if n <= 0 { return nil }
                if let reply = ICMPEcho.parseReply(Array(buffer[0..<n])), reply.identifier == pending.icmpIdentifier,
                   reply.source == pending.flow.destination.value {
                    return reply.isEchoReply ? ProbeObservation(.allowed) : ProbeObservation(.error, "ICMP type \(reply.type)")
                }
            }
        case .any:
            return nil
        }
    }
}

/// ICMP echo for the probes: requests from the packet kit; replies parsed here (a raw socket gets
/// the IPv4 header too).
enum ICMPEcho {
    static func request(identifier: UInt16, sequence: UInt16) -> [UInt8] {
        ICMPEchoRequest(identifier: identifier, sequence: sequence, payload: Array("benchlab".utf8)).bytes
    }

    struct Reply {
        var type: UInt8
        var identifier: UInt16
        var source: UInt32
        var isEchoReply: Bool { type == 0 }
    }

    /// Echo replies carry our identifier directly; errors (e.g. unreachable) quote our request's header.
    static func parseReply(_ packet: [UInt8]) -> Reply? {
        guard packet.count >= 28 else { return nil }
        let headerLength = Int(packet[0] & 0x0f) * 4
        guard packet.count >= headerLength + 8 else { return nil }
        let type = packet[headerLength]
        let source = packet[12..<16].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        if type == 0 {
            let id = UInt16(packet[headerLength + 4]) << 8 | UInt16(packet[headerLength + 5])
            return Reply(type: type, identifier: id, source: source)
        }
        // Quoted original: inner IP header after the 8-byte ICMP header; its destination is the flow's.
        let inner = headerLength + 8
        guard packet.count >= inner + 20 else { return nil }
        let innerLength = Int(packet[inner] & 0x0f) * 4
        guard packet.count >= inner + innerLength + 8 else { return nil }
        let destination = packet[(inner + 16)..<(inner + 20)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let id = UInt16(packet[inner + innerLength + 4]) << 8 | UInt16(packet[inner + innerLength + 5])
        return Reply(type: type, identifier: id, source: destination)
    }
}
