import LabNetwork
import LabPolicy
import LabSystem

/// Builds Ethernet frames for BPF_PROG_TEST_RUN: IPv4 with optional options and fragmentation,
/// TCP/UDP/ICMP, and deliberately broken variants (cut short, bad ihl), plus ARP and IPv6 frames for
/// the "not IPv4" path. Checksums are filled in although the filter ignores them, so a frame can be
/// fed to a real stack too.
public struct TestPacket: Sendable {
    public var proto: IPProtocol
    public var source: IPv4Address
    public var destination: IPv4Address
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    /// IPv4 options, padded with end-of-options to a 4-byte multiple (at most 40 bytes).
    public var ipOptions: [UInt8] = []
    /// Fragment offset in 8-byte units; non-zero makes a non-first fragment (no L4 header).
    public var fragmentOffset: UInt16 = 0
    public var moreFragments = false
    /// VLAN ids to push between Ethernet and IPv4, outermost first.
    public var vlanTags: [UInt16] = []
    public var payload: [UInt8] = Array(repeating: 0x61, count: 18)

    public init(proto: IPProtocol, source: IPv4Address, destination: IPv4Address,
                sourcePort: UInt16 = 40000, destinationPort: UInt16 = 80) {
        precondition(proto != .any, "a packet has a concrete protocol")
        self.proto = proto
        self.source = source
        self.destination = destination
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
    }

    /// The packet that carries `flow`'s first segment (ports default when the flow has none).
    public init(flow: Flow) {
        self.init(proto: flow.proto, source: flow.source, destination: flow.destination,
                  sourcePort: flow.sourcePort ?? 40000, destinationPort: flow.destinationPort ?? 80)
    }

    public static let destinationMAC: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02]
    public static let sourceMAC: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01]

    /// The whole frame.
    public var bytes: [UInt8] {
        let l4 = fragmentOffset == 0 ? transportHeader() + payload : payload
        return ethernet(etherType: 0x0800) + ipv4Header(payloadLength: l4.count) + l4
    }

    /// The frame cut to `length` bytes (a truncated capture or a tiny first fragment).
    public func truncated(to length: Int) -> [UInt8] { Array(bytes.prefix(length)) }

    /// Offset of the IPv4 header in the frame.
    public var ipv4Offset: Int { 14 + 4 * vlanTags.count }

    // MARK: Other frames

    public static func arpRequest(sender: IPv4Address, target: IPv4Address) -> [UInt8] {
        var frame = [UInt8](repeating: 0xff, count: 6) + sourceMAC + [0x08, 0x06]
        frame += [0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01] + sourceMAC + sender.bytes
        frame += [UInt8](repeating: 0, count: 6) + target.bytes
        return frame
    }

    /// An IPv6 UDP packet (the filter has no IPv6 policy and must pass it).
    public static func ipv6UDP(destinationPort: UInt16) -> [UInt8] {
        var frame = destinationMAC + sourceMAC + [0x86, 0xdd]
        let udp = be16(40000) + be16(destinationPort) + be16(8) + [0, 0]
        frame += [0x60, 0, 0, 0] + be16(UInt16(udp.count)) + [17, 64]
        frame += [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1]
        frame += [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [2]
        return frame + udp
    }

    // MARK: Headers

    private func ethernet(etherType: UInt16) -> [UInt8] {
        var frame = Self.destinationMAC + Self.sourceMAC
        for tag in vlanTags { frame += [0x81, 0x00] + be16(tag & 0x0fff) }
        return frame + be16(etherType)
    }

    private func ipv4Header(payloadLength: Int) -> [UInt8] {
        precondition(ipOptions.count <= 40, "IPv4 options are at most 40 bytes")
        let options = ipOptions + [UInt8](repeating: 0, count: (4 - ipOptions.count % 4) % 4)
        let headerLength = 20 + options.count
        let flags: UInt16 = moreFragments ? 0x2000 : 0
        var header: [UInt8] = [0x40 | UInt8(headerLength / 4), 0]
        header += be16(UInt16(headerLength + payloadLength)) + be16(0x1234)
        header += be16(flags | (fragmentOffset & 0x1fff)) + [64, proto.number!] + [0, 0]
        header += source.bytes + destination.bytes + options
        let checksum = InternetChecksum.compute(header)
        header[10] = UInt8(checksum >> 8)
        header[11] = UInt8(checksum & 0xff)
        return header
    }

    private func transportHeader() -> [UInt8] {
        switch proto {
        case .tcp:
            // Data offset 5 (no options), flags SYN.
            return be16(sourcePort) + be16(destinationPort) + [0, 0, 0, 1] + [0, 0, 0, 0] + [0x50, 0x02]
                + be16(64240) + [0, 0, 0, 0]
        case .udp:
            return be16(sourcePort) + be16(destinationPort) + be16(UInt16(8 + payload.count)) + [0, 0]
        case .icmp:
            let header: [UInt8] = [8, 0, 0, 0, 0x12, 0x34, 0, 1]
            let checksum = InternetChecksum.compute(header + payload)
            return [8, 0, UInt8(checksum >> 8), UInt8(checksum & 0xff), 0x12, 0x34, 0, 1]
        case .any:
            preconditionFailure("a packet has a concrete protocol")
        }
    }
}

private func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xff)] }

extension IPv4Address {
    /// Network byte order.
    var bytes: [UInt8] { [UInt8(value >> 24), UInt8((value >> 16) & 0xff), UInt8((value >> 8) & 0xff), UInt8(value & 0xff)] }
}
