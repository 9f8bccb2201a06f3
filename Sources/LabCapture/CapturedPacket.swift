import LabNetwork

/// TCP header flags, as the low byte of the flags field (CWR…FIN).
public struct TCPFlags: OptionSet, Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let fin = TCPFlags(rawValue: 0x01)
    public static let syn = TCPFlags(rawValue: 0x02)
    public static let rst = TCPFlags(rawValue: 0x04)
    public static let psh = TCPFlags(rawValue: 0x08)
    public static let ack = TCPFlags(rawValue: 0x10)
    public static let urg = TCPFlags(rawValue: 0x20)

    /// tcpdump's letters: "S", "S.", "F.", "R", "P." ("." is ACK).
    public var description: String {
        let letters: [(TCPFlags, String)] = [(.syn, "S"), (.fin, "F"), (.rst, "R"), (.psh, "P"), (.urg, "U")]
        let text = letters.filter { contains($0.0) }.map(\.1).joined() + (contains(.ack) ? "." : "")
        return text.isEmpty ? "none" : text
    }
}

/// The IPv4 and transport header fields a capture check needs. Ports are nil when there are none
/// to read: ICMP, other protocols, non-first fragments and headers cut by the snapshot length.
public struct IPv4PacketSummary: Sendable, Hashable {
    public var source: IPv4Address
    public var destination: IPv4Address
    /// The IP protocol number (6 TCP, 17 UDP, 1 ICMP, …).
    public var protocolNumber: UInt8
    /// The IP total length (header and payload).
    public var totalLength: Int
    public var sourcePort: UInt16?
    public var destinationPort: UInt16?
    public var tcpFlags: TCPFlags?
    /// ICMP type and, for echo request/reply, the identifier (what NAT translates in place of a port).
    public var icmpType: UInt8?
    public var icmpIdentifier: UInt16?

    public init(source: IPv4Address, destination: IPv4Address, protocolNumber: UInt8, totalLength: Int,
                sourcePort: UInt16? = nil, destinationPort: UInt16? = nil, tcpFlags: TCPFlags? = nil,
                icmpType: UInt8? = nil, icmpIdentifier: UInt16? = nil) {
        self.source = source
        self.destination = destination
        self.protocolNumber = protocolNumber
        self.totalLength = totalLength
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.tcpFlags = tcpFlags
        self.icmpType = icmpType
        self.icmpIdentifier = icmpIdentifier
    }

    /// "tcp", "udp", "icmp" or the number.
    public var protocolName: String {
        switch protocolNumber {
        case 1: "icmp"
        case 6: "tcp"
        case 17: "udp"
        default: "proto \(protocolNumber)"
        }
    }
}

/// A captured frame, decoded: when it was seen, its length on the wire, and its IPv4 headers —
/// or `other` for ARP, IPv6 and anything that is not a well-formed IPv4 packet.
public struct CapturedPacket: Sendable, Hashable {
    public enum Content: Sendable, Hashable {
        case ipv4(IPv4PacketSummary)
        /// Not IPv4; the EtherType when the link layer has one.
        case other(etherType: UInt16?)
    }

    public var timestamp: CaptureTimestamp
    public var length: Int
    public var content: Content

    public init(timestamp: CaptureTimestamp, length: Int, content: Content) {
        self.timestamp = timestamp
        self.length = length
        self.content = content
    }

    public var ipv4: IPv4PacketSummary? {
        if case .ipv4(let summary) = content { summary } else { nil }
    }
}
