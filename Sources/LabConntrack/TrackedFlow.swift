import LabNetwork
import LabPolicy

/// A tracked flow as its first packet (the original direction, client → server) names it. The BPF
/// trackers key their maps by it, nf_conntrack reports it as the original tuple, and the lab's
/// traffic generators record it with the moment the flow went idle, so the three can be joined.
public struct TrackedFlow: Hashable, Sendable, Codable, CustomStringConvertible {
    /// IANA protocol number (6 TCP, 17 UDP, 1 ICMP).
    public var proto: UInt8
    public var source: IPv4Address
    public var destination: IPv4Address
    /// Ports for TCP and UDP; for ICMP echo, the identifier in `sourcePort` and 0 in `destinationPort`.
    public var sourcePort: UInt16
    public var destinationPort: UInt16

    public init(proto: UInt8, source: IPv4Address, destination: IPv4Address, sourcePort: UInt16, destinationPort: UInt16) {
        self.proto = proto
        self.source = source
        self.destination = destination
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
    }

    /// The same flow seen from the other end (what a reply carries).
    public var reversed: TrackedFlow {
        TrackedFlow(proto: proto, source: destination, destination: source, sourcePort: destinationPort, destinationPort: sourcePort)
    }

    public var description: String {
        let name = IPProtocol.allCases.first { $0.number == proto }?.rawValue ?? "proto \(proto)"
        return "\(name) \(source):\(sourcePort) -> \(destination):\(destinationPort)"
    }
}
