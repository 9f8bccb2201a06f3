import LabCapture
import LabNetwork
import Testing

@Suite("Captured packet decoding")
struct PacketDecoderTests {
    static let packets = (try? PcapFile.read(NATFixtureFrames.file).packets) ?? []

    @Test("UDP, TCP and ICMP echo headers decode to addresses, protocol, ports, flags and lengths")
    func transportHeaders() throws {
        #expect(Self.packets.count == 10)
        let udp = try #require(Self.packets[0].ipv4)
        #expect(udp == IPv4PacketSummary(source: NATFixtureFrames.egress, destination: NATFixtureFrames.server, protocolNumber: 17,
                                         totalLength: 30, sourcePort: 20_001, destinationPort: 7001))
        #expect(Self.packets[0].length == 44)
        let syn = try #require(Self.packets[2].ipv4)
        #expect(syn.protocolName == "tcp")
        #expect(syn.sourcePort == 20_002 && syn.destinationPort == 80)
        #expect(syn.tcpFlags == .syn)
        #expect(Self.packets[3].ipv4?.tcpFlags == [.syn, .ack])
        #expect(Self.packets[3].ipv4?.tcpFlags?.description == "S.")
        let ping = try #require(Self.packets[7].ipv4)
        #expect(ping.protocolName == "icmp" && ping.icmpType == 8 && ping.icmpIdentifier == 20_004)
        #expect(ping.sourcePort == nil)
    }

    @Test("a VLAN-tagged frame decodes through its tag; ARP is kept as other with its EtherType")
    func linkLayer() {
        #expect(Self.packets[9].ipv4?.sourcePort == 20_005)
        #expect(Self.packets[8].content == .other(etherType: 0x0806))
    }

    @Test("short, non-IPv4 and fragment frames never trap: other, or an IPv4 summary without ports")
    func malformed() {
        let stamp = CaptureTimestamp(seconds: 0, microseconds: 0)
        let full = NATFixtureFrames.udp(NATFixtureFrames.egress, 20_001, NATFixtureFrames.server, 7001)
        for length in [0, 5, 13, 20, 33] {
            let packet = PacketDecoder.decode(CapturedFrame(timestamp: stamp, bytes: Array(full.prefix(length))), linkType: .ethernet)
            #expect(packet.ipv4 == nil, "\(length) bytes")
        }
        // IPv4 header whole, ports cut off by the snapshot length.
        let cut = PacketDecoder.decode(CapturedFrame(timestamp: stamp, bytes: Array(full.prefix(36)), originalLength: full.count),
                                       linkType: .ethernet)
        #expect(cut.ipv4?.source == NATFixtureFrames.egress && cut.ipv4?.sourcePort == nil)
        // A non-first fragment: offset 185 (×8 bytes); its first bytes are payload, not ports.
        var fragment = full
        fragment[14 + 6] = 0x00
        fragment[14 + 7] = 0xb9
        #expect(PacketDecoder.decode(CapturedFrame(timestamp: stamp, bytes: fragment), linkType: .ethernet).ipv4?.sourcePort == nil)
        #expect(PacketDecoder.decode(CapturedFrame(timestamp: stamp, bytes: full), linkType: LinkType(rawValue: 127)).content
            == .other(etherType: nil))
    }

    @Test("a Linux cooked (tcpdump -i any) frame decodes from its 16-byte header")
    func linuxCooked() {
        let full = NATFixtureFrames.udp(NATFixtureFrames.egress, 20_001, NATFixtureFrames.server, 7001)
        let sll: [UInt8] = [0, 0, 0, 1, 0, 6] + NATFixtureFrames.gatewayMAC.octets + [0, 0, 0x08, 0x00]
        let packet = PacketDecoder.decode(CapturedFrame(timestamp: CaptureTimestamp(seconds: 0, microseconds: 0),
                                                        bytes: sll + full.dropFirst(14)), linkType: .linuxCooked)
        #expect(packet.ipv4?.destinationPort == 7001)
    }
}
