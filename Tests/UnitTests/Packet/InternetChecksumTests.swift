import LabNetwork
import LabPacket
import Testing

@Suite("Internet checksum")
struct InternetChecksumTests {
    @Test("the RFC 1071 example sums as published")
    func rfcExample() {
        // RFC 1071 §3: 00 01 f2 03 f4 f5 f6 f7 sums (one's complement) to ddf2.
        #expect(InternetChecksum.compute([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]) == ~UInt16(0xddf2))
    }

    @Test("an odd tail counts as its byte followed by zero")
    func oddLength() {
        #expect(InternetChecksum.compute([0x12, 0x34, 0x56]) == InternetChecksum.compute([0x12, 0x34, 0x56, 0x00]))
    }

    @Test("a header carrying its checksum sums to zero; UDP's checksum covers the pseudo-header")
    func selfVerifying() {
        let source = IPv4Address("198.19.0.1")!, destination = IPv4Address("198.18.1.1")!
        var header = IPv4Header(source: source, destination: destination, protocolNumber: IPv4Header.udp, payloadLength: 8)
        header.options = [1, 1, 1]
        #expect(header.bytes.count == 24, "options are padded to a 4-byte multiple")
        #expect(InternetChecksum.compute(header.bytes) == 0)
        let udp = UDPDatagram(sourcePort: 1, destinationPort: 2, payload: [0xff]).bytes(source: source, destination: destination)
        let pseudo = source.networkBytes + destination.networkBytes + [0, 17, 0, 9]
        #expect(InternetChecksum.compute(pseudo + udp) == 0)
    }
}
