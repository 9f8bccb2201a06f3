import LabNetwork

/// A whole Ethernet frame carrying one IPv4/UDP datagram, built once and sent many times by the flood
/// through an AF_PACKET socket (so the client's own IP stack never touches it). Checksums are real:
/// the frames must look like any host's datagrams to every filter and to the server's UDP stack.
public struct UDPFrame: Sendable, Equatable {
    /// Without the FCS: 60 bytes here are 64 on the wire. Shorter frames are padded, as NICs do.
    public static let minimumLength = 60
    public static let headerLength = 14 + 20 + 8

    public var bytes: [UInt8]

    public init(sourceMAC: MACAddress, destinationMAC: MACAddress, source: IPv4Address, destination: IPv4Address,
                sourcePort: UInt16, destinationPort: UInt16, payloadBytes: Int) {
        precondition(payloadBytes >= 0 && payloadBytes <= 65_507, "payload does not fit a datagram")
        // A fixed, recognisable payload ("bl" repeated): a capture shows at once where packets came from.
        let payload: [UInt8] = (0..<payloadBytes).map { $0 % 2 == 0 ? 0x62 : 0x6c }
        let udp = UDPDatagram(sourcePort: sourcePort, destinationPort: destinationPort, payload: payload)
        var ip = IPv4Header(source: source, destination: destination, protocolNumber: IPv4Header.udp, payloadLength: udp.length)
        ip.dontFragment = true
        let ethernet = EthernetHeader(destination: destinationMAC, source: sourceMAC, etherType: EthernetHeader.ipv4)
        var frame = ethernet.bytes + ip.bytes + udp.bytes(source: source, destination: destination)
        if frame.count < Self.minimumLength { frame += [UInt8](repeating: 0, count: Self.minimumLength - frame.count) }
        bytes = frame
    }
}
