import LabNetwork

/// An address on a link end with the link's prefix length, e.g. 198.18.0.9/30.
public struct InterfaceAddress: Hashable, Sendable, Codable, CustomStringConvertible {
    public var address: IPv4Address
    public var length: UInt8

    public init(address: IPv4Address, length: UInt8) {
        self.address = address
        self.length = length
    }

    /// Parses "a.b.c.d/len" (host bits set, as an interface address has them); nil otherwise.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4Address(parts[0]), !parts[1].isEmpty, parts[1].count <= 2,
              parts[1].allSatisfy(\.isNumber), let length = UInt8(parts[1]), length <= 32 else { return nil }
        self.init(address: address, length: length)
    }

    /// The subnet the address is in.
    public var subnet: IPv4Prefix {
        IPv4Prefix(address: IPv4Address(address.value & IPv4Prefix.mask(length)), length: length)!
    }

    /// Whether it is a usable host address of its subnet (not the network or broadcast address of a
    /// subnet with room for them).
    public var isHostAddress: Bool {
        guard length <= 30 else { return length == 31 }
        return address != subnet.first && address != subnet.last
    }

    public var description: String { "\(address)/\(length)" }
}
