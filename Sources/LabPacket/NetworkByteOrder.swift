import LabNetwork

/// Big-endian ("network order") bytes of header fields.
enum NetworkByteOrder {
    static func bytes(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xff)] }
    static func bytes(_ value: UInt32) -> [UInt8] { [24, 16, 8, 0].map { UInt8((value >> $0) & 0xff) } }
}

extension IPv4Address {
    /// The address as it appears in a header.
    public var networkBytes: [UInt8] { NetworkByteOrder.bytes(value) }
}
