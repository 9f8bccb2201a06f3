import LabNetwork
import LabPacket
import LabPolicy

/// The wire bytes of a state probe (`StateProbe`): a whole IPv4 packet for a raw IP_HDRINCL socket,
/// with real checksums — nf_conntrack verifies TCP, UDP and ICMP checksums and calls a bad one
/// invalid, which would make a "dropped" verdict prove nothing.
enum ProbeStatePackets {
    /// The TCP sequence number of every probe segment (only ports tell probes apart).
    static let sequence: UInt32 = 0xB1AB_0001

    static func packet(_ probe: StateProbe, icmpIdentifier: UInt16) -> [UInt8] {
        let payload: [UInt8]
        let proto: UInt8
        switch probe.kind {
        case .udp:
            proto = IPv4Header.udp
            payload = UDPDatagram(sourcePort: probe.sourcePort ?? 0, destinationPort: probe.destinationPort ?? 0,
                                  payload: Array("benchlab-state".utf8)).bytes(source: probe.source, destination: probe.destination)
        case .tcpSynAck, .tcpAck:
            proto = IPv4Header.tcp
            payload = tcpSegment(probe, flags: probe.kind == .tcpSynAck ? 0x12 : 0x10)
        case .icmpEchoReply:
            proto = IPv4Header.icmp
            payload = echoReply(identifier: icmpIdentifier)
        }
        var header = IPv4Header(source: probe.source, destination: probe.destination, protocolNumber: proto, payloadLength: payload.count)
        header.dontFragment = true
        return header.bytes + payload
    }

    /// A 20-byte TCP header (no options, no data) with `flags`, checksummed over the pseudo-header.
    static func tcpSegment(_ probe: StateProbe, flags: UInt8) -> [UInt8] {
        var segment = be16(probe.sourcePort ?? 0) + be16(probe.destinationPort ?? 0) + be32(sequence)
            + be32(flags & 0x10 != 0 ? 0x0BAD_0001 : 0) + [0x50, flags] + be16(64240) + [0, 0, 0, 0]
        let pseudo = be32(probe.source.value) + be32(probe.destination.value) + [0, IPv4Header.tcp] + be16(UInt16(segment.count))
        store(InternetChecksum.compute(pseudo + segment), in: &segment, at: 16)
        return segment
    }

    static func echoReply(identifier: UInt16) -> [UInt8] {
        var message: [UInt8] = [0, 0, 0, 0] + be16(identifier) + be16(1) + Array("benchlab".utf8)
        store(InternetChecksum.compute(message), in: &message, at: 2)
        return message
    }

    private static func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xff)] }
    private static func be32(_ value: UInt32) -> [UInt8] { be16(UInt16(value >> 16)) + be16(UInt16(value & 0xffff)) }
    private static func store(_ checksum: UInt16, in bytes: inout [UInt8], at offset: Int) {
        bytes[offset] = UInt8(checksum >> 8)
        bytes[offset + 1] = UInt8(checksum & 0xff)
    }

    /// Whether `packet` (an IPv4 packet as a raw socket receives it) is `probe` arriving.
    static func matches(_ packet: [UInt8], _ probe: StateProbe, icmpIdentifier: UInt16) -> Bool {
        guard packet.count >= 20 else { return false }
        let headerLength = Int(packet[0] & 0x0f) * 4
        guard packet.count >= headerLength + 8, packet[9] == probe.kind.proto.number else { return false }
        let source = packet[12..<16].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let destination = packet[16..<20].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard source == probe.source.value, destination == probe.destination.value else { return false }
        let word = { (offset: Int) in UInt16(packet[headerLength + offset]) << 8 | UInt16(packet[headerLength + offset + 1]) }
        switch probe.kind {
        case .icmpEchoReply:
            return packet[headerLength] == 0 && word(4) == icmpIdentifier
        case .udp, .tcpSynAck, .tcpAck:
            return word(0) == probe.sourcePort && word(2) == probe.destinationPort
        }
    }
}
