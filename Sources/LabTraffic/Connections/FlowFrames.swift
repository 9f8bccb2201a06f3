import LabConntrack
import LabNetwork
import LabPacket

/// The fill's frames, built fast: one `UDPFrame` template with source 0.0.0.0:0, copied per flow with
/// the flow's source address and port written in and both checksums updated from the template's
/// (RFC 1624: a ones' complement sum only grows by the words added). Building a full `UDPFrame` per
/// flow — payload, headers, two checksums over the whole datagram — took seconds for 256k flows;
/// this is a copy and a handful of additions each. The bytes are the same (a unit test compares them).
struct FlowFrames {
    static let ipChecksumOffset = 24
    static let sourceAddressOffset = 26
    static let sourcePortOffset = 34
    static let udpChecksumOffset = 40

    let template: [UInt8]
    private let ipBase: UInt32
    private let udpBase: UInt32

    init(sourceMAC: MACAddress, gatewayMAC: MACAddress, destination: IPv4Address, destinationPort: UInt16, payloadBytes: Int) {
        template = UDPFrame(sourceMAC: sourceMAC, destinationMAC: gatewayMAC, source: IPv4Address(0), destination: destination,
                            sourcePort: 0, destinationPort: destinationPort, payloadBytes: payloadBytes).bytes
        // The template's checksums are ~sum over everything but the fields a flow fills in.
        ipBase = UInt32(~Self.word(template, Self.ipChecksumOffset))
        udpBase = UInt32(~Self.word(template, Self.udpChecksumOffset))
    }

    var frameLength: Int { template.count }

    /// Appends `flow`'s frame to `buffer`.
    func append(_ flow: TrackedFlow, to buffer: inout [UInt8]) {
        let start = buffer.count
        buffer.append(contentsOf: template)
        let address = flow.source.value
        let high = address >> 16
        let low = address & 0xffff
        Self.put(UInt16(high), &buffer, start + Self.sourceAddressOffset)
        Self.put(UInt16(low), &buffer, start + Self.sourceAddressOffset + 2)
        Self.put(flow.sourcePort, &buffer, start + Self.sourcePortOffset)
        Self.put(~Self.fold(ipBase + high + low), &buffer, start + Self.ipChecksumOffset)
        let udp = ~Self.fold(udpBase + high + low + UInt32(flow.sourcePort))
        Self.put(udp == 0 ? 0xffff : udp, &buffer, start + Self.udpChecksumOffset)  // RFC 768: 0 means "none"
    }

    static func fold(_ sum: UInt32) -> UInt16 {
        var sum = sum
        while sum > 0xffff { sum = (sum & 0xffff) + (sum >> 16) }
        return UInt16(sum)
    }

    static func word(_ bytes: [UInt8], _ offset: Int) -> UInt16 { UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1]) }

    static func put(_ value: UInt16, _ bytes: inout [UInt8], _ offset: Int) {
        bytes[offset] = UInt8(value >> 8)
        bytes[offset + 1] = UInt8(value & 0xff)
    }
}
