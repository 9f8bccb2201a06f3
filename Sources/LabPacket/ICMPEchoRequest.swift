/// An ICMP echo request (type 8) with its checksum, without the IPv4 header (a raw ICMP socket adds it).
public struct ICMPEchoRequest: Sendable, Equatable {
    public var identifier: UInt16
    public var sequence: UInt16
    public var payload: [UInt8]

    public init(identifier: UInt16, sequence: UInt16, payload: [UInt8]) {
        self.identifier = identifier
        self.sequence = sequence
        self.payload = payload
    }

    public var bytes: [UInt8] {
        var message: [UInt8] = [8, 0, 0, 0] + NetworkByteOrder.bytes(identifier) + NetworkByteOrder.bytes(sequence) + payload
        InternetChecksum.store(InternetChecksum.compute(message), in: &message, at: 2)
        return message
    }
}
