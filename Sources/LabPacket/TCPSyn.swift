/// The first segment of a connection: a 20-byte TCP header (no options) with SYN set, and a payload.
/// The checksum field is left 0: these segments feed packet filters, which never look at it.
public struct TCPSyn: Sendable, Equatable {
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var sequenceNumber: UInt32 = 1
    public var window: UInt16 = 64240
    public var payload: [UInt8]

    public init(sourcePort: UInt16, destinationPort: UInt16, payload: [UInt8] = []) {
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.payload = payload
    }

    public var bytes: [UInt8] {
        // Data offset 5 (no options), flags SYN.
        NetworkByteOrder.bytes(sourcePort) + NetworkByteOrder.bytes(destinationPort)
            + NetworkByteOrder.bytes(sequenceNumber) + [0, 0, 0, 0] + [0x50, 0x02]
            + NetworkByteOrder.bytes(window) + [0, 0, 0, 0] + payload
    }
}
