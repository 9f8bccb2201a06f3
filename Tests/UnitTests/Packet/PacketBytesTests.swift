import LabBPF
import LabNetwork
import LabPacket
import Testing

/// Frames pinned byte for byte, as the hand-built packet code produced them before LabPacket existed
/// (captured from TestPacket, UDPFrame and the probes' ICMPEcho at commit 1006835): moving the builders
/// into one kit must not change a single byte a filter, a test or the server sees.
@Suite("Packet kit: frames pinned to their bytes")
struct PacketBytesTests {
    static let source = IPv4Address("198.18.16.5")!
    static let server = IPv4Address("198.18.0.2")!

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    @Test("BPF test packets: TCP SYN, UDP, ICMP echo")
    func testPackets() {
        #expect(Self.hex(TestPacket(proto: .tcp, source: Self.source, destination: Self.server, destinationPort: 22).bytes)
            == "02000000000202000000000108004500003a123400004006cc5ec6121005c61200029c40001600000001000000005002faf000000000616161616161616161616161616161616161")
        #expect(Self.hex(TestPacket(proto: .udp, source: Self.source, destination: Self.server, destinationPort: 53).bytes)
            == "02000000000202000000000108004500002e123400004011cc5fc6121005c61200029c400035001a0000616161616161616161616161616161616161")
        #expect(Self.hex(TestPacket(proto: .icmp, source: Self.source, destination: Self.server).bytes)
            == "02000000000202000000000108004500002e123400004001cc6fc6121005c61200020800795e12340001616161616161616161616161616161616161")
    }

    @Test("BPF test packets: VLAN tags, IPv4 options, fragments, an odd-length ICMP payload")
    func unusualTestPackets() {
        var tagged = TestPacket(proto: .tcp, source: Self.source, destination: Self.server, sourcePort: 1234, destinationPort: 443)
        tagged.ipOptions = [0x94, 0x04, 0, 0, 1]
        tagged.vlanTags = [5, 4097]
        tagged.payload = [1, 2, 3]
        #expect(Self.hex(tagged.bytes) == "02000000000202000000000181000005810000010800470000331234000040063561c6121005c6120002940400000100000004d201bb00000001000000005002faf000000000010203")
        var fragment = TestPacket(proto: .udp, source: Self.source, destination: Self.server)
        fragment.fragmentOffset = 3
        fragment.moreFragments = true
        #expect(Self.hex(fragment.bytes) == "020000000002020000000001080045000026123420034011ac64c6121005c6120002616161616161616161616161616161616161")
        var odd = TestPacket(proto: .icmp, source: Self.source, destination: Self.server)
        odd.payload = [9, 8, 7]
        #expect(Self.hex(odd.bytes) == "02000000000202000000000108004500001f123400004001cc7ec6121005c61200020800d5c212340001090807")
    }

    @Test("BPF test packets that are not IPv4: ARP and IPv6")
    func otherFrames() {
        #expect(Self.hex(TestPacket.arpRequest(sender: Self.source, target: Self.server)) == "ffffffffffff02000000000108060001080006040001020000000001c6121005000000000000c6120002")
        #expect(Self.hex(TestPacket.ipv6UDP(destinationPort: 53)) == "02000000000202000000000186dd600000000008114020010db800000000000000000000000120010db80000000000000000000000029c40003500080000")
    }

    static func floodFrame(payloadBytes: Int) -> [UInt8] {
        UDPFrame(sourceMAC: MACAddress("02:62:6c:00:00:01")!, destinationMAC: MACAddress("02:62:6c:00:00:02")!,
                 source: IPv4Address("198.19.0.1")!, destination: IPv4Address("198.18.1.1")!,
                 sourcePort: 20_000, destinationPort: 7004, payloadBytes: payloadBytes).bytes
    }

    @Test("flood frames: real UDP checksum, DF, padding to 60 bytes")
    func floodFrames() {
        #expect(Self.hex(Self.floodFrame(payloadBytes: 18)) == "02626c00000202626c00000108004500002e000040004011ad97c6130001c61201014e201b5c001a9346626c626c626c626c626c626c626c626c626c")
        #expect(Self.hex(Self.floodFrame(payloadBytes: 1)) == "02626c00000202626c00000108004500001d000040004011ada8c6130001c61201014e201b5c0009a737620000000000000000000000000000000000")
        #expect(Self.hex(Self.floodFrame(payloadBytes: 5)) == "02626c00000202626c000001080045000021000040004011ada4c6130001c61201014e201b5c000de256626c626c6200000000000000000000000000")
        let large = Self.floodFrame(payloadBytes: 1472)
        #expect(large.count == 1514)
        #expect(Self.hex(Array(large.prefix(44))) == "02626c00000202626c0000010800450005dc000040004011a7e9c6130001c61201014e201b5c05c8061f626c")
        #expect(Self.hex(Array(large.suffix(4))) == "626c626c")
    }

    @Test("the probes' ICMP echo request")
    func echoRequest() {
        #expect(Self.hex(ICMPEchoRequest(identifier: 0xbeef, sequence: 7, payload: Array("benchlab".utf8)).bytes)
            == "08009e71beef000762656e63686c6162")
    }
}
