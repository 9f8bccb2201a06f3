#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LabPolicy
import LabSystem

/// Sends state probes (`StateProbe`) through a topology and reports which arrived. Each probe is
/// a hand-made packet sent from a raw socket in the sender's namespace; a raw socket of its protocol
/// in the other namespace sees every packet of that protocol delivered there, before any socket
/// lookup — so an unsolicited segment counts as arrived even though the receiving stack then
/// answers it with a RST. Sockets are opened inside the namespaces by this process (a socket stays
/// in the namespace it was made in), so no agent is needed.
public enum ProbeStateRun {
    public static func observe(_ probes: [StateProbe], in context: TrafficContext, wait: Double = ProbeRun.timeout) throws -> [ProbeObservation] {
        guard !probes.isEmpty else { return [] }
        let topology = context.topology
        func namespace(_ side: StateProbe.Side) -> String { side == .client ? topology.client : topology.server }
        // Listeners first: a packet that arrives before its listener exists would be missed.
        var listeners: [String: Socket] = [:]
        for probe in probes {
            let receiver = namespace(probe.sender == .client ? .server : .client)
            let key = "\(receiver)/\(probe.kind.proto.rawValue)"
            if listeners[key] == nil {
                listeners[key] = try NetworkNamespace.run(in: receiver) { try Socket(raw: Int32(probe.kind.proto.number!)) }
            }
        }
        let identifiers = probes.indices.map { UInt16(truncatingIfNeeded: 0xB100 + $0) }
        for (index, probe) in probes.enumerated() {
            let sender = try NetworkNamespace.run(in: namespace(probe.sender)) { try Socket(raw: Int32(IPPROTO_RAW)) }
            try send(ProbeStatePackets.packet(probe, icmpIdentifier: identifiers[index]), to: probe, on: sender)
        }
        var arrived = [Double?](repeating: nil, count: probes.count)
        let started = MonotonicClock.nanoseconds()
        let deadline = Deadline(secondsFromNow: wait)
        let sockets = Array(listeners.values)
        var buffer = [UInt8](repeating: 0, count: 2048)
        while !deadline.hasPassed && arrived.contains(where: { $0 == nil }) {
            var fds = sockets.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            guard Glibc.poll(&fds, nfds_t(fds.count), Int32(max(1, deadline.remainingSeconds * 1000))) > 0 else { continue }
            for (position, entry) in fds.enumerated() where entry.revents != 0 {
                while true {
                    let n = buffer.withUnsafeMutableBytes { Glibc.recv(sockets[position].fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                    if n <= 0 { break }
                    let packet = Array(buffer[0..<n])
                    for (index, probe) in probes.enumerated() where arrived[index] == nil
                        && ProbeStatePackets.matches(packet, probe, icmpIdentifier: identifiers[index]) {
                        arrived[index] = Double(MonotonicClock.nanoseconds() &- started) / 1000
                    }
                }
            }
        }
        return arrived.map { latency in
            latency.map { ProbeObservation(.allowed, "arrived", latencyMicroseconds: $0) } ?? ProbeObservation(.denied)
        }
    }

    private static func send(_ packet: [UInt8], to probe: StateProbe, on socket: Socket) throws {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = probe.destination.value.bigEndian
        let sent = packet.withUnsafeBytes { bytes in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(socket.fd, bytes.baseAddress, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        if sent < 0 { throw SystemCallError("send state probe (\(probe))", errno: errno) }
    }
}
