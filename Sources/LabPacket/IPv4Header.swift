import LabNetwork

/// An IPv4 header with its checksum filled in; options are padded with end-of-options to a 4-byte
/// multiple, which sets the header length.
public struct IPv4Header: Sendable, Equatable {
    public static let icmp: UInt8 = 1
    public static let tcp: UInt8 = 6
    public static let udp: UInt8 = 17

    public var source: IPv4Address
    public var destination: IPv4Address
    /// The protocol number of what follows (`IPv4Header.tcp`, …).
    public var protocolNumber: UInt8
    /// Bytes after this header (transport header and payload); the total length adds the header's own.
    public var payloadLength: Int
    public var identification: UInt16 = 0
    public var dontFragment = false
    public var moreFragments = false
    /// In 8-byte units; non-zero makes a non-first fragment.
    public var fragmentOffset: UInt16 = 0
    public var timeToLive: UInt8 = 64
    /// At most 40 bytes.
    public var options: [UInt8] = []

    public init(source: IPv4Address, destination: IPv4Address, protocolNumber: UInt8, payloadLength: Int) {
        self.source = source
        self.destination = destination
        self.protocolNumber = protocolNumber
        self.payloadLength = payloadLength
    }

    public var bytes: [UInt8] {
        precondition(options.count <= 40, "IPv4 options are at most 40 bytes")
        let padded = options + [UInt8](repeating: 0, count: (4 - options.count % 4) % 4)
        let headerLength = 20 + padded.count
        let flags: UInt16 = (dontFragment ? 0x4000 : 0) | (moreFragments ? 0x2000 : 0)
        var header: [UInt8] = [0x40 | UInt8(headerLength / 4), 0]
        header += NetworkByteOrder.bytes(UInt16(headerLength + payloadLength)) + NetworkByteOrder.bytes(identification)
        header += NetworkByteOrder.bytes(flags | (fragmentOffset & 0x1fff)) + [timeToLive, protocolNumber, 0, 0]
        header += source.networkBytes + destination.networkBytes + padded
        InternetChecksum.store(InternetChecksum.compute(header), in: &header, at: 10)
        return header
    }
}
