import LabNetwork
import LabPacket
import LabPolicy

/// Builds Ethernet frames for BPF_PROG_TEST_RUN: IPv4 with optional options and fragmentation,
/// TCP/UDP/ICMP, and deliberately broken variants (cut short, bad ihl), plus ARP and IPv6 frames for
/// the "not IPv4" path. The IPv4 and ICMP checksums are filled in although the filter ignores them;
/// UDP goes without one (legal over IPv4) and TCP's is left 0. Built from LabPacket's headers.
public struct TestPacket: Sendable {
    public var proto: IPProtocol
    public var source: IPv4Address
    public var destination: IPv4Address
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    /// IPv4 options, padded with end-of-options to a 4-byte multiple (at most 40 bytes).
    public var ipOptions: [UInt8] = []
    /// Fragment offset in 8-byte units; non-zero makes a non-first fragment (no L4 header).
    public var fragmentOffset: UInt16 = 0
    public var moreFragments = false
    /// VLAN ids to push between Ethernet and IPv4, outermost first.
    public var vlanTags: [UInt16] = []
    public var payload: [UInt8] = Array(repeating: 0x61, count: 18)
    /// The TCP flags byte (FIN 0x01, SYN 0x02, RST 0x04, ACK 0x10): a SYN unless set otherwise.
    public var tcpFlags: UInt8 = 0x02
    /// The ICMP type: an echo request (8) unless set otherwise (0 is an echo reply).
    public var icmpType: UInt8 = 8

    public init(proto: IPProtocol, source: IPv4Address, destination: IPv4Address,
                sourcePort: UInt16 = 40000, destinationPort: UInt16 = 80) {
        precondition(proto != .any, "a packet has a concrete protocol")
        self.proto = proto
        self.source = source
        self.destination = destination
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
    }

    /// The packet that carries `flow`'s first segment (ports default when the flow has none).
    public init(flow: Flow) {
        self.init(proto: flow.proto, source: flow.source, destination: flow.destination,
                  sourcePort: flow.sourcePort ?? 40000, destinationPort: flow.destinationPort ?? 80)
    }

    public static let destinationMAC = MACAddress(octets: [0x02, 0x00, 0x00, 0x00, 0x00, 0x02])
    public static let sourceMAC = MACAddress(octets: [0x02, 0x00, 0x00, 0x00, 0x00, 0x01])

    /// The whole frame.
    public var bytes: [UInt8] {
        let l4 = fragmentOffset == 0 ? transport() : payload
        var ip = IPv4Header(source: source, destination: destination, protocolNumber: proto.number!, payloadLength: l4.count)
        ip.identification = 0x1234
        ip.options = ipOptions
        ip.fragmentOffset = fragmentOffset
        ip.moreFragments = moreFragments
        let ethernet = EthernetHeader(destination: Self.destinationMAC, source: Self.sourceMAC, vlanTags: vlanTags,
                                      etherType: EthernetHeader.ipv4)
        return ethernet.bytes + ip.bytes + l4
    }

    /// The frame cut to `length` bytes (a truncated capture or a tiny first fragment).
    public func truncated(to length: Int) -> [UInt8] { Array(bytes.prefix(length)) }

    /// Offset of the IPv4 header in the frame.
    public var ipv4Offset: Int { 14 + 4 * vlanTags.count }

    // MARK: Other frames

    public static func arpRequest(sender: IPv4Address, target: IPv4Address) -> [UInt8] {
        let ethernet = EthernetHeader(destination: .broadcast, source: sourceMAC, etherType: EthernetHeader.arp)
        // Ethernet/IPv4, request; the target's hardware address is what is asked for (zeros).
        return ethernet.bytes + [0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01] + sourceMAC.octets + sender.networkBytes
            + [UInt8](repeating: 0, count: 6) + target.networkBytes
    }

    /// An IPv6 UDP packet from 2001:db8::1 to 2001:db8::2 (the filter has no IPv6 policy and must pass it).
    public static func ipv6UDP(destinationPort: UInt16) -> [UInt8] {
        let udp = UDPDatagram(sourcePort: 40000, destinationPort: destinationPort, payload: []).bytesWithoutChecksum
        let ethernet = EthernetHeader(destination: destinationMAC, source: sourceMAC, etherType: EthernetHeader.ipv6)
        let address: (UInt8) -> [UInt8] = { [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [$0] }
        let header: [UInt8] = [0x60, 0, 0, 0, 0, UInt8(udp.count), IPv4Header.udp, 64] + address(1) + address(2)
        return ethernet.bytes + header + udp
    }

    // MARK: Transport

    /// The transport header and payload of a first fragment.
    private func transport() -> [UInt8] {
        switch proto {
        case .tcp:
            var segment = TCPSyn(sourcePort: sourcePort, destinationPort: destinationPort, payload: payload).bytes
            segment[13] = tcpFlags // the flags byte (RFC 9293); TCPSyn writes SYN there
            return segment
        case .udp:
            return UDPDatagram(sourcePort: sourcePort, destinationPort: destinationPort, payload: payload).bytesWithoutChecksum
        case .icmp:
            var message = ICMPEchoRequest(identifier: 0x1234, sequence: 1, payload: payload).bytes
            if icmpType != message[0] {
                // An echo reply: the same message with another type, its checksum computed again.
                message[0] = icmpType
                message[2] = 0
                message[3] = 0
                let sum = InternetChecksum.compute(message)
                message[2] = UInt8(sum >> 8)
                message[3] = UInt8(sum & 0xff)
            }
            return message
        case .any:
            preconditionFailure("a packet has a concrete protocol")
        }
    }
}
