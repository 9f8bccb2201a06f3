import LabNetwork
import LabPacket
import LabPolicy
import Testing
@testable import LabTraffic

/// The state probes' packets must carry valid checksums: nf_conntrack calls a bad one invalid, and
/// a probe dropped for that would prove nothing about the ruleset.
@Suite("State probe packets")
struct ProbeStatePacketTests {
    static let ack = StateProbe(sender: .client, kind: .tcpAck, source: AddressPlan.client, destination: AddressPlan.server,
                                sourcePort: 47003, destinationPort: 5201)

    /// Sums the packet's transport checksum coverage; a valid one sums to zero.
    static func transportChecksum(_ packet: [UInt8]) -> UInt16 {
        let transport = Array(packet[20...])
        let pseudo = Array(packet[12..<20]) + [0, packet[9], UInt8(transport.count >> 8), UInt8(transport.count & 0xff)]
        return InternetChecksum.compute(pseudo + transport)
    }

    @Test(arguments: [StateProbe.Kind.tcpAck, .tcpSynAck, .udp])
    func transportChecksumsAreValid(kind: StateProbe.Kind) {
        var probe = Self.ack
        probe.kind = kind
        let packet = ProbeStatePackets.packet(probe, icmpIdentifier: 1)
        #expect(packet[9] == kind.proto.number)
        #expect(Self.transportChecksum(packet) == 0)
        #expect(InternetChecksum.compute(Array(packet[0..<20])) == 0, "IPv4 header checksum")
        #expect(ProbeStatePackets.matches(packet, probe, icmpIdentifier: 1))
    }

    @Test func tcpFlagsAreWhatTheKindSays() {
        var probe = Self.ack
        #expect(ProbeStatePackets.packet(probe, icmpIdentifier: 0)[33] == 0x10)
        probe.kind = .tcpSynAck
        #expect(ProbeStatePackets.packet(probe, icmpIdentifier: 0)[33] == 0x12)
    }

    @Test func anEchoReplyIsValidAndMatchedByItsIdentifier() {
        let probe = StateProbe(sender: .server, kind: .icmpEchoReply, source: AddressPlan.server, destination: AddressPlan.client)
        let packet = ProbeStatePackets.packet(probe, icmpIdentifier: 0xB105)
        #expect(packet[20] == 0, "type 0: echo reply")
        #expect(InternetChecksum.compute(Array(packet[20...])) == 0)
        #expect(ProbeStatePackets.matches(packet, probe, icmpIdentifier: 0xB105))
        #expect(!ProbeStatePackets.matches(packet, probe, icmpIdentifier: 0xB106))
    }

    @Test func anotherFlowDoesNotMatch() {
        var other = Self.ack
        other.sourcePort = 47004
        #expect(!ProbeStatePackets.matches(ProbeStatePackets.packet(other, icmpIdentifier: 0), Self.ack, icmpIdentifier: 0))
    }
}
