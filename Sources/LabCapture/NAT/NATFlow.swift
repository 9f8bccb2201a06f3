import LabNetwork

/// One direction of a flow as the server's interface saw it: addresses, ports (nil for ICMP and
/// fragments) and protocol. Ordered so reports list flows the same way every run.
public struct NATFlow: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var source: IPv4Address
    public var sourcePort: UInt16?
    public var destination: IPv4Address
    public var destinationPort: UInt16?
    public var protocolName: String

    public init(source: IPv4Address, sourcePort: UInt16?, destination: IPv4Address, destinationPort: UInt16?, protocolName: String) {
        self.source = source
        self.sourcePort = sourcePort
        self.destination = destination
        self.destinationPort = destinationPort
        self.protocolName = protocolName
    }

    init(_ packet: IPv4PacketSummary) {
        // ICMP echo: NAT rewrites the identifier as it would a source port, so show it in its place.
        let isEcho = packet.icmpIdentifier != nil
        self.init(source: packet.source, sourcePort: packet.sourcePort ?? (isEcho ? packet.icmpIdentifier : nil),
                  destination: packet.destination, destinationPort: packet.destinationPort ?? (isEcho ? packet.icmpIdentifier : nil),
                  protocolName: packet.protocolName)
    }

    public var description: String {
        "\(source)\(sourcePort.map { ":\($0)" } ?? "") → \(destination)\(destinationPort.map { ":\($0)" } ?? "") \(protocolName)"
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.source, lhs.sourcePort ?? 0, lhs.destination, lhs.destinationPort ?? 0, lhs.protocolName)
            < (rhs.source, rhs.sourcePort ?? 0, rhs.destination, rhs.destinationPort ?? 0, rhs.protocolName)
    }
}

/// A flow that breaks the expectation, the reasons, and how many of its packets the capture held.
public struct OffendingFlow: Sendable, Hashable, Codable, CustomStringConvertible {
    public var flow: NATFlow
    public var reasons: [String]
    public var packets: Int

    public var description: String { "\(flow): \(reasons.joined(separator: "; ")) (\(packets) packet\(packets == 1 ? "" : "s"))" }
}

/// A correctly translated flow toward the server and its packet count.
public struct TranslatedFlow: Sendable, Hashable, Codable, CustomStringConvertible {
    public var flow: NATFlow
    public var packets: Int

    public var description: String { "\(flow) (\(packets) packet\(packets == 1 ? "" : "s"))" }
}
