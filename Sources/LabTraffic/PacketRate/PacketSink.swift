#if canImport(Glibc)
import Glibc
#endif
import CLabShims
import Foundation
import LabSystem

/// The packet-rate sink (`benchlab agent pps-sink`, inside the server namespace): a UDP socket bound
/// to the workload's port that reads and discards datagrams with recvmmsg(2), so they are consumed
/// instead of answered with ICMP port unreachable, and counts them. Runs until SIGTERM/SIGINT (the
/// driver's stop) or its deadline, then drains what is queued and reports.
public enum PacketSink {
    /// 32 MiB of receive buffer rides out the sink being descheduled for a while by other load: at
    /// 300 kpps of 60-byte frames (about 1 KiB of truesize each) that is about 100 ms. The default
    /// (208 KiB) overflowed in tries on a busy machine.
    static let receiveBuffer: Int32 = 32 << 20

    public static func serve(bind endpoint: Endpoint, deadline seconds: Double, avoidCPU: Int?, cpu pinned: Int? = nil,
                             ready: () -> Void) throws -> SinkReport {
        if let pinned {
            // The receive CPU, where the receive path was steered: the application competes with it there.
            try systemCall("pin the sink to CPU \(pinned)") { lab_pin_to_cpu(Int32(pinned)) }
        } else if let cpu = avoidCPU {
            // Keep off the generator's CPU, which also runs the whole veth path in softirq.
            try systemCall("keep the sink off CPU \(cpu)") { lab_avoid_cpu(Int32(cpu)) }
        }
        let socket = try Socket(.udp)
        do {
            try socket.setOption(SOL_SOCKET, SO_RCVBUFFORCE, receiveBuffer, "SO_RCVBUFFORCE")
        } catch {
            // Without CAP_NET_ADMIN: as much as net.core.rmem_max allows.
            try socket.setOption(SOL_SOCKET, SO_RCVBUF, receiveBuffer, "SO_RCVBUF")
        }
        try socket.bind(endpoint)
        ready()
        let deadline = Deadline(secondsFromNow: seconds)
        var received: UInt64 = 0
        while !deadline.hasPassed && !Cancellation.shared.isCancelled {
            guard socket.waitReadable(milliseconds: 50) else { continue }
            received += drain(socket)
        }
        // What is still queued arrived before the stop: count it (the flood has finished by now).
        for _ in 0..<64 {
            let more = drain(socket)
            received += more
            if more == 0 { break }
        }
        let drops = lab_socket_drops(socket.fd)
        return SinkReport(received: received, socketDrops: drops >= 0 ? UInt64(drops) : nil)
    }

    /// Reads until the queue is empty or 1024 batches (64 Ki datagrams, a few hundred ms at most)
    /// have been read, so the caller gets back to its deadline and stop checks even under a flood.
    private static func drain(_ socket: Socket) -> UInt64 {
        var total: UInt64 = 0
        for _ in 0..<1024 {
            let n = lab_recvmmsg_discard(socket.fd, 64)
            guard n > 0 else { break }
            total += UInt64(n)
        }
        return total
    }
}

/// What the sink prints as its one line of JSON when it stops.
public struct SinkReport: Codable, Sendable, Equatable {
    /// Datagrams read from the socket.
    public var received: UInt64
    /// Datagrams the socket dropped because its receive buffer was full; nil if the kernel would not say.
    public var socketDrops: UInt64?

    /// Datagrams the receive path carried all the way to the socket: read, or dropped there for want
    /// of buffer (whole trips through the stack either way).
    public var reachedSocket: UInt64 { received + (socketDrops ?? 0) }

    public init(received: UInt64, socketDrops: UInt64?) {
        self.received = received
        self.socketDrops = socketDrops
    }

    enum CodingKeys: String, CodingKey {
        case received
        case socketDrops = "socket_drops"
    }
}
