/// An address family. Only IPv4 is wired through the backends today; the model carries the family so
/// IPv6 rules can be added without changing every signature.
public enum AddressFamily: String, Codable, Sendable, Hashable {
    case ipv4
    case ipv6
}

/// An IPv4 address as a host-order integer (198.18.0.1 == 0xC612_0001).
public struct IPv4Address: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public var value: UInt32

    public init(_ value: UInt32) { self.value = value }

    /// Parses dotted-quad text; nil for anything else (leading zeros, out-of-range octets, spaces).
    /// Four decimal octets, no leading zeros. Read byte by byte: a pasted firewall of 100k rules
    /// parses this once per address, and splitting into substrings made it a sixth of validation.
    public init?(_ text: some StringProtocol) {
        var value: UInt32 = 0
        var octet: UInt32 = 0
        var digits = 0
        var dots = 0
        var leadingZero = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, dots < 3 else { return nil }
                value = value << 8 | octet
                (octet, digits, dots, leadingZero) = (0, 0, dots + 1, false)
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), digits < 3, !leadingZero else { return nil }
            leadingZero = digits == 0 && byte == UInt8(ascii: "0")
            octet = octet * 10 + UInt32(byte - UInt8(ascii: "0"))
            digits += 1
            guard octet <= 255 else { return nil }
        }
        guard dots == 3, digits > 0 else { return nil }
        self.value = value << 8 | octet
    }

    public var description: String {
        "\(value >> 24).\((value >> 16) & 0xff).\((value >> 8) & 0xff).\(value & 0xff)"
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }
}

/// A CIDR prefix. Host bits must be zero in the text form ("198.18.0.1/24" is rejected, as nft and
/// ipset would normalise it silently and the policy would not mean what it says).
public struct IPv4Prefix: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public let address: IPv4Address
    public let length: UInt8

    public init?(address: IPv4Address, length: UInt8) {
        guard length <= 32, address.value & ~IPv4Prefix.mask(length) == 0 else { return nil }
        self.address = address
        self.length = length
    }

    /// Parses "a.b.c.d/len" or a bare address (a /32).
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2, let address = IPv4Address(parts[0]) else { return nil }
        var length: UInt8 = 32
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].count <= 2, parts[1].allSatisfy(\.isNumber),
                  let parsed = UInt8(parts[1]), parsed <= 32 else { return nil }
            length = parsed
        }
        self.init(address: address, length: length)
    }

    public static func mask(_ length: UInt8) -> UInt32 {
        length == 0 ? 0 : UInt32.max << (32 - UInt32(length))
    }

    public var mask: UInt32 { IPv4Prefix.mask(length) }
    public var first: IPv4Address { address }
    public var last: IPv4Address { IPv4Address(address.value | ~mask) }
    public var size: UInt64 { UInt64(1) << (32 - UInt64(length)) }

    public func contains(_ address: IPv4Address) -> Bool { address.value & mask == self.address.value }
    public func contains(_ other: IPv4Prefix) -> Bool { other.length >= length && contains(other.address) }

    /// The prefix one bit shorter that contains this one (nil for /0).
    public var parent: IPv4Prefix? {
        length == 0 ? nil : IPv4Prefix(address: IPv4Address(address.value & IPv4Prefix.mask(length - 1)), length: length - 1)
    }

    public var description: String { "\(address)/\(length)" }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.address, lhs.length) < (rhs.address, rhs.length)
    }

    public static let any = IPv4Prefix(address: IPv4Address(0), length: 0)!
}

extension IPv4Prefix {
    /// This prefix with `hole` removed, as the minimal list of prefixes (empty when `hole` covers it).
    public func excluding(_ hole: IPv4Prefix) -> [IPv4Prefix] {
        if hole.contains(self) { return [] }
        guard contains(hole) else { return [self] }
        var result: [IPv4Prefix] = []
        var current = hole
        // Walk from the hole up to self; at each level the sibling of the path is wholly outside the hole.
        while current.length > length {
            let sibling = IPv4Prefix(address: IPv4Address(current.address.value ^ (UInt32(1) << (32 - UInt32(current.length)))),
                                     length: current.length)!
            result.append(sibling)
            current = current.parent!
        }
        return result.sorted()
    }
}

extension IPv4Prefix {
    /// How many disjoint address intervals these prefixes make once overlapping and adjacent ones are
    /// joined — what an nftables interval set with auto-merge holds for them.
    public static func mergedIntervalCount(_ prefixes: [IPv4Prefix]) -> Int {
        let ranges = prefixes.map { (UInt64($0.first.value), UInt64($0.last.value)) }.sorted { $0.0 < $1.0 }
        var count = 0
        var end: UInt64?
        for (first, last) in ranges {
            if let current = end, first <= current + 1 {
                end = max(current, last)
            } else {
                count += 1
                end = last
            }
        }
        return count
    }
}
