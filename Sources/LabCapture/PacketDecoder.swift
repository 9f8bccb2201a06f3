import LabNetwork

/// Reads Ethernet (with 802.1Q tags) or Linux cooked headers, then IPv4 and TCP/UDP/ICMP, from a
/// captured frame. Never traps on short or malformed input: what cannot be read is `other`, or an
/// IPv4 summary without ports.
public enum PacketDecoder {
    static let ipv4EtherType: UInt16 = 0x0800
    static let vlanEtherTypes: Set<UInt16> = [0x8100, 0x88a8]

    public static func decode(_ frame: CapturedFrame, linkType: LinkType) -> CapturedPacket {
        let content: CapturedPacket.Content
        switch networkLayer(frame.bytes, linkType: linkType) {
        case .some((let etherType, let offset)) where etherType == ipv4EtherType:
            content = ipv4(frame.bytes, at: offset).map { .ipv4($0) } ?? .other(etherType: etherType)
        case .some((let etherType, _)): content = .other(etherType: etherType)
        case .none: content = .other(etherType: nil)
        }
        return CapturedPacket(timestamp: frame.timestamp, length: frame.originalLength, content: content)
    }

    /// The EtherType of the network-layer packet and where it starts.
    static func networkLayer(_ bytes: [UInt8], linkType: LinkType) -> (UInt16, Int)? {
        switch linkType {
        case .ethernet:
            var offset = 12
            guard var etherType = word(bytes, offset) else { return nil }
            // 802.1Q / 802.1ad tags sit between the addresses and the EtherType, 4 bytes each.
            while vlanEtherTypes.contains(etherType) {
                offset += 4
                guard let inner = word(bytes, offset) else { return nil }
                etherType = inner
            }
            return (etherType, offset + 2)
        case .linuxCooked:
            // SLL: packet type, ARPHRD, address length, 8 address bytes, then the protocol at 14.
            guard let etherType = word(bytes, 14) else { return nil }
            return (etherType, 16)
        default:
            return nil
        }
    }

    static func ipv4(_ bytes: [UInt8], at start: Int) -> IPv4PacketSummary? {
        guard bytes.count >= start + 20, bytes[start] >> 4 == 4 else { return nil }
        let headerLength = Int(bytes[start] & 0x0f) * 4
        guard headerLength >= 20, let totalLength = word(bytes, start + 2), let fragment = word(bytes, start + 6),
              let source = address(bytes, start + 12), let destination = address(bytes, start + 16) else { return nil }
        var summary = IPv4PacketSummary(source: source, destination: destination, protocolNumber: bytes[start + 9],
                                        totalLength: Int(totalLength))
        // A non-first fragment (offset ≠ 0) carries payload bytes where a transport header would be.
        guard fragment & 0x1fff == 0 else { return summary }
        let transport = start + headerLength
        switch summary.protocolNumber {
        case 6, 17:
            // Both ports or neither: a half-read pair would make a flow that never existed.
            guard let sourcePort = word(bytes, transport), let destinationPort = word(bytes, transport + 2) else { break }
            summary.sourcePort = sourcePort
            summary.destinationPort = destinationPort
            if summary.protocolNumber == 6, transport + 13 < bytes.count { summary.tcpFlags = TCPFlags(rawValue: bytes[transport + 13] & 0x3f) }
        case 1:
            if transport < bytes.count {
                let type = bytes[transport]
                summary.icmpType = type
                // Echo reply (0) and request (8) carry an identifier that NAT rewrites like a port.
                if type == 0 || type == 8 { summary.icmpIdentifier = word(bytes, transport + 4) }
            }
        default:
            break
        }
        return summary
    }

    static func word(_ bytes: [UInt8], _ offset: Int) -> UInt16? {
        guard offset >= 0, offset + 1 < bytes.count else { return nil }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    static func address(_ bytes: [UInt8], _ offset: Int) -> IPv4Address? {
        guard offset + 3 < bytes.count else { return nil }
        return IPv4Address(bytes[offset..<offset + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
    }
}
