import LabNetwork
import LabPolicy

/// A whole Ethernet frame carrying one IPv4/UDP datagram, built once and sent many times by the flood
/// through an AF_PACKET socket (so the client's own IP stack never touches it). Checksums are real:
/// the frames must look like any host's datagrams to every filter and to the server's UDP stack.
public struct UDPFrame: Sendable, Equatable {
    /// Without the FCS: 60 bytes here are 64 on the wire. Shorter frames are padded, as NICs do.
    public static let minimumLength = 60
    static let headerLength = 14 + 20 + 8

    public var bytes: [UInt8]

    public init(sourceMAC: MACAddress, destinationMAC: MACAddress, source: IPv4Address, destination: IPv4Address,
                sourcePort: UInt16, destinationPort: UInt16, payloadBytes: Int) {
        precondition(payloadBytes >= 0 && payloadBytes <= 65_507, "payload does not fit a datagram")
        let udpLength = 8 + payloadBytes
        let ipLength = 20 + udpLength
        var frame: [UInt8] = destinationMAC.octets + sourceMAC.octets + [0x08, 0x00]
        var ip: [UInt8] = [0x45, 0x00] + Self.big(UInt16(ipLength)) + [0x00, 0x00]  // version/IHL, TOS, length, id
        ip += [0x40, 0x00, 64, 17, 0x00, 0x00]  // DF, no offset, TTL 64, UDP, checksum (below)
        ip += Self.big(source.value) + Self.big(destination.value)
        let ipChecksum = Self.checksum(ip)
        ip[10] = UInt8(ipChecksum >> 8)
        ip[11] = UInt8(ipChecksum & 0xff)
        var udp: [UInt8] = Self.big(sourcePort) + Self.big(destinationPort) + Self.big(UInt16(udpLength)) + [0x00, 0x00]
        // A fixed, recognisable payload ("bl" repeated): a capture shows at once where packets came from.
        udp += (0..<payloadBytes).map { $0 % 2 == 0 ? 0x62 : 0x6c }
        let pseudoHeader = Self.big(source.value) + Self.big(destination.value) + [0x00, 17] + Self.big(UInt16(udpLength))
        var udpChecksum = Self.checksum(pseudoHeader + udp)
        if udpChecksum == 0 { udpChecksum = 0xffff }  // RFC 768: 0 means "no checksum"
        udp[6] = UInt8(udpChecksum >> 8)
        udp[7] = UInt8(udpChecksum & 0xff)
        frame += ip + udp
        if frame.count < Self.minimumLength { frame += [UInt8](repeating: 0, count: Self.minimumLength - frame.count) }
        bytes = frame
    }

    /// The Internet checksum (RFC 1071) of `bytes`, an odd tail padded with zero.
    static func checksum(_ bytes: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        var index = 0
        while index < bytes.count {
            let high = UInt32(bytes[index]) << 8
            let low = index + 1 < bytes.count ? UInt32(bytes[index + 1]) : 0
            sum += high | low
            index += 2
        }
        while sum >> 16 != 0 { sum = (sum & 0xffff) + (sum >> 16) }
        return ~UInt16(sum)
    }

    private static func big(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xff)] }
    private static func big(_ value: UInt32) -> [UInt8] { [24, 16, 8, 0].map { UInt8((value >> $0) & 0xff) } }
}

/// An Ethernet address, parsed from "02:62:6c:00:00:01".
public struct MACAddress: Sendable, Equatable, CustomStringConvertible {
    public let octets: [UInt8]

    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6, parts.allSatisfy({ $0.count == 2 }) else { return nil }
        let octets = parts.compactMap { UInt8($0, radix: 16) }
        guard octets.count == 6 else { return nil }
        self.octets = octets
    }

    public var description: String {
        octets.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined(separator: ":")
    }
}
