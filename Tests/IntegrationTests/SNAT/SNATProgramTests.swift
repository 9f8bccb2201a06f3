import CLibBPF
import LabBPF
import LabNetwork
import LabPolicy
import Testing

extension KernelTests {
    /// The SNAT programs (bpf/snat.bpf.c) run by the kernel on crafted frames through
    /// BPF_PROG_TEST_RUN: what leaves, what comes back, the counters and the histogram.
    @Suite("BPF SNAT programs")
    struct SNATProgramTests {
        static let egressIP = IPv4Address("198.18.0.5")!
        static let otherGateway = IPv4Address("198.18.0.9")!
        static let remote = IPv4Address("198.18.1.1")!
        static let pod = IPv4Address("10.0.0.2")!
        static let otherPod = IPv4Address("10.0.0.3")!

        /// 10.0.0.0/24 leaves here; 10.0.1.0/24 through the other gateway.
        static func policy(ports: PortRange, randomFully: Bool = false) -> SNATPolicy {
            SNATPolicy(ports: ports, randomFully: randomFully, egress: [
                EgressRule(sources: [IPv4Prefix("10.0.0.0/24")!], egressIPs: [egressIP]),
                EgressRule(sources: [IPv4Prefix("10.0.1.0/24")!], egressIPs: [otherGateway]),
            ]).at(gateway: egressIP)
        }

        static func load(ports: PortRange = PortRange(1024, 65535)!, randomFully: Bool = false,
                         kind: CTTableKind = .lru) throws -> SNATProgram {
            try BPFTestEnvironment.requireFilterLoads()
            return try SNATProgram(SNATConfiguration(policy: policy(ports: ports, randomFully: randomFully),
                                                     tracking: ConnectionTracking(tableSize: 1024), kind: kind))
        }

        static func tcp(from source: IPv4Address = pod, port: UInt16 = 40000, flags: UInt8 = 0x02) -> [UInt8] {
            var packet = TestPacket(proto: .tcp, source: source, destination: remote, sourcePort: port, destinationPort: 80)
            packet.tcpFlags = flags
            return SNATFrame(packet.bytes).withChecksums().bytes
        }

        static func tcpReply(to port: UInt16, flags: UInt8 = 0x12) -> [UInt8] {
            var packet = TestPacket(proto: .tcp, source: remote, destination: egressIP, sourcePort: 80, destinationPort: port)
            packet.tcpFlags = flags
            return SNATFrame(packet.bytes).withChecksums().bytes
        }

        static func udp(from source: IPv4Address = pod, port: UInt16 = 40000, checksum: Bool = true) -> [UInt8] {
            let bytes = TestPacket(proto: .udp, source: source, destination: remote, sourcePort: port, destinationPort: 5000).bytes
            return checksum ? SNATFrame(bytes).withChecksums().bytes : bytes
        }

        @Test("a pod's TCP SYN leaves with the egress IP, a port of the range and correct checksums")
        func translatesTCP() throws {
            let snat = try Self.load(ports: PortRange(20000, 20099)!)
            let run = try snat.runEgress(Self.tcp())
            #expect(run.passed)
            let out = SNATFrame(run.packet)
            #expect(out.source == Self.egressIP)
            #expect(out.destination == Self.remote)
            #expect((20000...20099).contains(out.sourcePort))
            #expect(out.destinationPort == 80)
            #expect(out.ipv4ChecksumValid)
            #expect(out.l4ChecksumValid)
            let counters = try snat.maps.counters()
            #expect(counters[BL_NAT_FLOWS_TRANSLATED] == 1)
            #expect(counters[BL_NAT_PACKETS_TRANSLATED] == 1)
            // 40000 is outside the range: found by a random try, never "kept".
            let retries = try snat.maps.retries()
            #expect(retries.counts[0] == 0)
            #expect(retries.counts.reduce(0, +) == 1)
            // The next segment of the flow takes the same mapping, without a new allocation.
            let again = SNATFrame(try snat.runEgress(Self.tcp(flags: 0x10)).packet)
            #expect(again.sourcePort == out.sourcePort)
            #expect(try snat.maps.counters()[BL_NAT_FLOWS_TRANSLATED] == 1)
            #expect(try snat.maps.counters()[BL_NAT_PACKETS_TRANSLATED] == 2)
        }

        @Test("the original port is kept when it is in the range and free")
        func keepsOriginalPort() throws {
            let snat = try Self.load()
            let out = SNATFrame(try snat.runEgress(Self.tcp(port: 40000)).packet)
            #expect(out.sourcePort == 40000)
            #expect(out.source == Self.egressIP)
            #expect(try snat.maps.retries().counts[0] == 1)
        }

        @Test("random_fully skips the original port: the allocation is a random try")
        func randomFullyDoesNotKeep() throws {
            let snat = try Self.load(randomFully: true)
            let out = SNATFrame(try snat.runEgress(Self.tcp(port: 40000)).packet)
            #expect(out.source == Self.egressIP)
            let retries = try snat.maps.retries()
            #expect(retries.counts[0] == 0)
            #expect(retries.counts[1...].reduce(0, +) == 1)
        }

        @Test("a reply to the egress IP and NAT port goes back to the pod, checksums correct")
        func reverseTranslation() throws {
            let snat = try Self.load(ports: PortRange(20000, 20099)!)
            let natPort = SNATFrame(try snat.runEgress(Self.tcp()).packet).sourcePort
            let back = try snat.runIngress(Self.tcpReply(to: natPort))
            #expect(back.passed)
            let frame = SNATFrame(back.packet)
            #expect(frame.destination == Self.pod)
            #expect(frame.destinationPort == 40000)
            #expect(frame.source == Self.remote)
            #expect(frame.ipv4ChecksumValid)
            #expect(frame.l4ChecksumValid)
            #expect(try snat.maps.counters()[BL_NAT_PACKETS_REVERSED] == 1)
            // The reply moved the mapping's tracker state to established, as the tracker would.
            let entry = try #require(try snat.maps.forwardEntries().first)
            #expect(entry.entry.ct.state == UInt8(BL_CT_STATE_TCP_ESTABLISHED.rawValue))
            // A packet to a port nobody holds is left to the gateway's stack, untouched.
            let miss = try snat.runIngress(Self.tcpReply(to: natPort == 20000 ? 20001 : 20000))
            #expect(miss.passed)
            #expect(SNATFrame(miss.packet).destination == Self.egressIP)
            #expect(try snat.maps.counters()[BL_NAT_REVERSE_MISSES] == 1)
        }

        @Test("two pods with the same source port to one remote get different NAT ports")
        func collision() throws {
            let snat = try Self.load()
            let first = SNATFrame(try snat.runEgress(Self.tcp(from: Self.pod, port: 40000)).packet)
            let second = SNATFrame(try snat.runEgress(Self.tcp(from: Self.otherPod, port: 40000)).packet)
            #expect(first.sourcePort == 40000)
            #expect(second.sourcePort != 40000)
            #expect((1024...65535).contains(second.sourcePort))
            #expect(second.source == Self.egressIP)
            let back = SNATFrame(try snat.runIngress(Self.tcpReply(to: second.sourcePort)).packet)
            #expect(back.destination == Self.otherPod)
            #expect(back.destinationPort == 40000)
            #expect(try snat.maps.reverseEntries().count == 2)
        }

        @Test("an exhausted range drops the new flow and counts the failure")
        func exhausted() throws {
            let snat = try Self.load(ports: PortRange(20000, 20001)!)
            let pods = (2...4).map { IPv4Address("10.0.0.\($0)")! }
            let runs = try pods.map { try snat.runEgress(Self.tcp(from: $0, port: 40000)) }
            #expect(runs[0].passed && runs[1].passed)
            #expect(Set(runs.prefix(2).map { SNATFrame($0.packet).sourcePort }) == [20000, 20001])
            #expect(!runs[2].passed)
            #expect(try snat.maps.counters()[BL_NAT_ALLOCATION_FAILED] == 1)
            #expect(try snat.maps.retries().failed == 1)
        }

        @Test("sources no rule lets out here are dropped: unselected and the other gateway's pods")
        func unselectedDropped() throws {
            let snat = try Self.load()
            #expect(!(try snat.runEgress(Self.tcp(from: IPv4Address("10.9.9.9")!)).passed))
            #expect(!(try snat.runEgress(Self.tcp(from: IPv4Address("10.0.1.7")!)).passed))
            #expect(try snat.maps.counters()[BL_NAT_DROPPED_UNSELECTED] == 2)
            // A TCP segment that opens nothing, without a mapping, never leaves untranslated either.
            #expect(!(try snat.runEgress(Self.tcp(flags: 0x10)).passed))
            #expect(try snat.maps.counters()[BL_NAT_TCP_INVALID] == 1)
        }

        @Test("an expired mapping's port is free: the next flow takes it and the reverse entry follows")
        func expiredPortReused() throws {
            let snat = try Self.load(ports: PortRange(port: 20000)!)
            #expect(try snat.runEgress(Self.udp(from: Self.pod)).passed)
            #expect(!(try snat.runEgress(Self.udp(from: Self.otherPod)).passed))
            // Age the first mapping past the UDP timeout.
            var (key, entry) = try #require(try snat.maps.forwardEntries().first)
            entry.ct.last_seen_ns = 1
            try snat.maps.writeForward(key, entry)
            let reused = try snat.runEgress(Self.udp(from: Self.otherPod))
            #expect(reused.passed)
            #expect(SNATFrame(reused.packet).sourcePort == 20000)
            let back = SNATFrame(try snat.runIngress(SNATFrame(TestPacket(proto: .udp, source: Self.remote, destination: Self.egressIP,
                                                                           sourcePort: 5000, destinationPort: 20000).bytes).bytes).packet)
            #expect(back.destination == Self.otherPod)
        }

        @Test("UDP without a checksum keeps 0; with one it stays correct")
        func udpChecksums() throws {
            let snat = try Self.load(ports: PortRange(20000, 20099)!)
            let bare = SNATFrame(try snat.runEgress(Self.udp(port: 40000, checksum: false)).packet)
            #expect(bare.source == Self.egressIP)
            #expect(bare.l4Checksum == 0)
            #expect(bare.ipv4ChecksumValid)
            let summed = SNATFrame(try snat.runEgress(Self.udp(port: 40001)).packet)
            #expect(summed.l4Checksum != 0)
            #expect(summed.l4ChecksumValid)
        }

        @Test("an ICMP echo leaves with its identifier as the port; the reply comes back")
        func icmpEcho() throws {
            let snat = try Self.load(ports: PortRange(20000, 20099)!)
            let request = TestPacket(proto: .icmp, source: Self.pod, destination: Self.remote)
            let out = SNATFrame(try snat.runEgress(request.bytes).packet)
            #expect(out.source == Self.egressIP)
            #expect((20000...20099).contains(out.echoIdentifier))
            #expect(out.l4ChecksumValid)
            var reply = SNATFrame(TestPacket(proto: .icmp, source: Self.remote, destination: Self.egressIP).bytes)
            reply.bytes[reply.l4] = 0 // echo reply
            reply.bytes[reply.l4 + 4] = UInt8(out.echoIdentifier >> 8)
            reply.bytes[reply.l4 + 5] = UInt8(out.echoIdentifier & 0xff)
            reply.bytes[reply.l4 + 2] = 0
            reply.bytes[reply.l4 + 3] = 0
            let sum = SNATFrame.checksum(Array(reply.bytes[reply.l4...]))
            reply.bytes[reply.l4 + 2] = UInt8(sum >> 8)
            reply.bytes[reply.l4 + 3] = UInt8(sum & 0xff)
            let back = SNATFrame(try snat.runIngress(reply.bytes).packet)
            #expect(back.destination == Self.pod)
            #expect(back.echoIdentifier == 0x1234)
            #expect(back.l4ChecksumValid)
        }

        @Test("a sweep of the plain-hash NAT maps deletes the expired mapping and its port")
        func sweepReclaims() throws {
            let snat = try Self.load(kind: .swept)
            #expect(try snat.runEgress(Self.udp(from: Self.pod)).passed)
            #expect(try snat.runEgress(Self.udp(from: Self.otherPod)).passed)
            var (key, entry) = try #require(try snat.maps.forwardEntries().first { $0.key.source == Self.pod })
            entry.ct.last_seen_ns = 1
            try snat.maps.writeForward(key, entry)
            let sweep = try snat.maps.sweep(lifetimes: snat.lifetimes)
            #expect(sweep.examined == 2)
            #expect(sweep.deleted.map(\.source) == [Self.pod])
            #expect(try snat.maps.forwardEntries().map(\.key.source) == [Self.otherPod])
            #expect(try snat.maps.reverseEntries().map { IPv4Address(UInt32(bigEndian: $0.entry.pod_addr)) } == [Self.otherPod])
        }

        @Test("a new rule in front moves the selection: its pods leave translated, a prefix that went is dropped")
        func selectionUpdate() throws {
            let snat = try Self.load()
            let newcomer = IPv4Address("10.0.1.7")!
            #expect(!(try snat.runEgress(Self.tcp(from: newcomer)).passed))
            var next = Self.policy(ports: PortRange(1024, 65535)!)
            next.egress.insert(EgressRule(sources: [IPv4Prefix("10.0.1.0/28")!], egressIPs: [Self.egressIP]), at: 0)
            next.egress.remove(at: 1) // 10.0.0.0/24 goes
            try snat.maps.setSelection(SNATSelection.entries(next))
            #expect(try snat.maps.selectionEntries().map(\.description) == ["10.0.1.0/24 drop", "10.0.1.0/28 translate"])
            #expect(SNATFrame(try snat.runEgress(Self.tcp(from: newcomer)).packet).source == Self.egressIP)
            #expect(!(try snat.runEgress(Self.tcp(from: Self.pod)).passed))
        }
    }
}
