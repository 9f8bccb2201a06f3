/// An Ethernet II header, with optional 802.1Q tags between the addresses and the EtherType.
public struct EthernetHeader: Sendable, Equatable {
    public static let ipv4: UInt16 = 0x0800
    public static let arp: UInt16 = 0x0806
    public static let ipv6: UInt16 = 0x86dd
    static let vlan: UInt16 = 0x8100

    public var destination: MACAddress
    public var source: MACAddress
    /// VLAN ids (12 bits each, priority 0), outermost first.
    public var vlanTags: [UInt16]
    public var etherType: UInt16

    public init(destination: MACAddress, source: MACAddress, vlanTags: [UInt16] = [], etherType: UInt16) {
        self.destination = destination
        self.source = source
        self.vlanTags = vlanTags
        self.etherType = etherType
    }

    /// 14 bytes, plus 4 per VLAN tag.
    public var length: Int { 14 + 4 * vlanTags.count }

    public var bytes: [UInt8] {
        var header = destination.octets + source.octets
        for tag in vlanTags { header += NetworkByteOrder.bytes(Self.vlan) + NetworkByteOrder.bytes(tag & 0x0fff) }
        return header + NetworkByteOrder.bytes(etherType)
    }
}
