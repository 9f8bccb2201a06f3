import LabNetwork

/// Reads and checks what the SNAT wrote into a frame (no VLAN tags, IPv4 at offset 14): addresses,
/// ports or the echo identifier, and the IPv4 and L4 checksums. `withChecksums` fills a TCP/UDP
/// checksum in first, so the incremental updates have a correct sum to start from.
struct SNATFrame {
    var bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var ihl: Int { Int(bytes[14] & 0x0f) * 4 }
    var l4: Int { 14 + ihl }
    var proto: UInt8 { bytes[14 + 9] }
    var source: IPv4Address { address(at: 14 + 12) }
    var destination: IPv4Address { address(at: 14 + 16) }
    var sourcePort: UInt16 { word(at: l4) }
    var destinationPort: UInt16 { word(at: l4 + 2) }
    var echoIdentifier: UInt16 { word(at: l4 + 4) }
    var l4ChecksumOffset: Int { proto == 6 ? l4 + 16 : proto == 17 ? l4 + 6 : l4 + 2 }
    var l4Checksum: UInt16 { word(at: l4ChecksumOffset) }

    func address(at offset: Int) -> IPv4Address {
        IPv4Address(bytes[offset..<offset + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
    }
    func word(at offset: Int) -> UInt16 { UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1]) }

    private var segment: [UInt8] {
        let total = Int(word(at: 14 + 2))
        return Array(bytes[l4..<(14 + total)])
    }
    private var pseudoHeader: [UInt8] {
        Array(bytes[(14 + 12)..<(14 + 20)]) + [0, proto, UInt8(segment.count >> 8), UInt8(segment.count & 0xff)]
    }

    var ipv4ChecksumValid: Bool { Self.checksum(Array(bytes[14..<(14 + ihl)])) == 0 }

    /// The L4 checksum verifies (TCP/UDP over the pseudo-header, ICMP over the message).
    var l4ChecksumValid: Bool {
        proto == 1 ? Self.checksum(segment) == 0 : Self.checksum(pseudoHeader + segment) == 0
    }

    func withChecksums() -> SNATFrame {
        var frame = self
        guard proto == 6 || proto == 17 else { return frame }
        frame.bytes[l4ChecksumOffset] = 0
        frame.bytes[l4ChecksumOffset + 1] = 0
        var sum = Self.checksum(frame.pseudoHeader + frame.segment)
        if proto == 17 && sum == 0 { sum = 0xffff }
        frame.bytes[l4ChecksumOffset] = UInt8(sum >> 8)
        frame.bytes[l4ChecksumOffset + 1] = UInt8(sum & 0xff)
        return frame
    }

    /// RFC 1071 (written here: the integration tests do not depend on LabPacket).
    static func checksum(_ bytes: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        var index = 0
        while index + 1 < bytes.count {
            sum += UInt32(bytes[index]) << 8 | UInt32(bytes[index + 1])
            index += 2
        }
        if index < bytes.count { sum += UInt32(bytes[index]) << 8 }
        while sum >> 16 != 0 { sum = (sum & 0xffff) + (sum >> 16) }
        return ~UInt16(sum)
    }
}
