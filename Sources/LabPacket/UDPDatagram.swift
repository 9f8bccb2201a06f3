import LabNetwork

/// A UDP header and its payload.
public struct UDPDatagram: Sendable, Equatable {
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var payload: [UInt8]

    public init(sourcePort: UInt16, destinationPort: UInt16, payload: [UInt8]) {
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.payload = payload
    }

    public var length: Int { 8 + payload.count }

    /// With the checksum field 0 ("no checksum", legal over IPv4).
    public var bytesWithoutChecksum: [UInt8] {
        NetworkByteOrder.bytes(sourcePort) + NetworkByteOrder.bytes(destinationPort)
            + NetworkByteOrder.bytes(UInt16(length)) + [0, 0] + payload
    }

    /// With the real checksum over the IPv4 pseudo-header, so the receiving stack accepts it.
    public func bytes(source: IPv4Address, destination: IPv4Address) -> [UInt8] {
        var datagram = bytesWithoutChecksum
        let pseudoHeader = source.networkBytes + destination.networkBytes + [0, IPv4Header.udp]
            + NetworkByteOrder.bytes(UInt16(length))
        var checksum = InternetChecksum.compute(pseudoHeader + datagram)
        if checksum == 0 { checksum = 0xffff }  // RFC 768: 0 means "no checksum"
        InternetChecksum.store(checksum, in: &datagram, at: 6)
        return datagram
    }
}
