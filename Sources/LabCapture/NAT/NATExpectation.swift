import LabNetwork

/// What a correct SNAT looks like from the external server's interface: the sources it may see, the
/// ports they may use, the pod prefixes that must never appear there, and the server's own addresses
/// (whose packets are replies, and must go back to an egress address and port).
public struct NATExpectation: Sendable, Equatable, Codable {
    /// The egress IPs the gateway translates to.
    public var egressAddresses: Set<IPv4Address>
    /// The SNAT port range, inclusive. Every translated TCP/UDP source port must be inside it, also
    /// when the pod's own port already was (the lab configures ranges that make a kept port visible).
    public var portRange: ClosedRange<UInt16>
    /// Pod CIDRs: a source inside one of them left the cluster untranslated.
    public var podPrefixes: [IPv4Prefix]
    public var serverAddresses: Set<IPv4Address>

    public init(egressAddresses: Set<IPv4Address>, portRange: ClosedRange<UInt16>, podPrefixes: [IPv4Prefix],
                serverAddresses: Set<IPv4Address>) {
        self.egressAddresses = egressAddresses
        self.portRange = portRange
        self.podPrefixes = podPrefixes
        self.serverAddresses = serverAddresses
    }

    var rangeText: String { "\(portRange.lowerBound)-\(portRange.upperBound)" }
}
