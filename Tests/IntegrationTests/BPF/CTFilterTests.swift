#if canImport(Glibc)
import Glibc
#endif
import CLibBPF
import LabBPF
import LabNetwork
import LabPolicy
import LabSystem
import LabTestSupport
import Testing

extension KernelTests {
    /// The stateful filter (bpf/ct_filter.bpf.c) run by the kernel on crafted frames through
    /// BPF_PROG_TEST_RUN, inside a throwaway namespace whose veth end plays the client side and whose
    /// loopback device the server side (the program tells the sides apart by ingress ifindex).
    @Suite("BPF conntrack filter")
    struct CTFilterTests {
        static let client = AddressPlan.client
        static let server = IPv4Address("198.18.1.1")!
        /// tcp/80, udp/5000 and icmp allowed; everything else denied.
        static let policy = Policy(rules: [
            Rule(action: .allow, proto: .tcp, destinationPorts: PortRange(port: 80)),
            Rule(action: .allow, proto: .udp, destinationPorts: PortRange(port: 5000)),
            Rule(action: .allow, proto: .icmp),
        ], defaultAction: .deny)

        static let cases: [(FilterVariant, CTTableKind)] = FilterVariant.allCases.flatMap { v in CTTableKind.allCases.map { (v, $0) } }

        struct Harness {
            let filter: CTFilter
            let clientIndex: UInt32
            let serverIndex: UInt32 = 1

            func fromClient(_ packet: TestPacket) throws -> Action { try filter.run(packet.bytes, ingressIndex: clientIndex).verdict }
            func fromServer(_ packet: TestPacket) throws -> Action { try filter.run(packet.bytes, ingressIndex: serverIndex).verdict }
            func counter(_ index: bl_ct_counter_index) throws -> UInt64 { try filter.counters()[index] }
        }

        static func with(_ variant: FilterVariant, _ kind: CTTableKind, capacity: Int = 1024,
                         timeouts: ConntrackTimeouts = .kernelDefaults, _ body: (Harness) throws -> Void) throws {
            try BPFTestEnvironment.requireNamespaces()
            try ThrowawayLab.with { lab in
                try NetworkNamespace.run(in: lab.dutNamespace) {
                    let index = try CTFilter.index(of: InterfaceTarget(interface: lab.dutInterface))
                    let filter = try CTFilter(variant: variant, image: try BPFPolicyCompiler.compile(policy), timeouts: timeouts,
                                              kind: kind, capacity: capacity, clientIndex: index)
                    try body(Harness(filter: filter, clientIndex: index))
                }
            }
        }

        static func udp(sourcePort: UInt16 = 40000, port: UInt16 = 5000) -> TestPacket {
            TestPacket(proto: .udp, source: client, destination: server, sourcePort: sourcePort, destinationPort: port)
        }
        static func udpReply(sourcePort: UInt16 = 40000, port: UInt16 = 5000) -> TestPacket {
            TestPacket(proto: .udp, source: server, destination: client, sourcePort: port, destinationPort: sourcePort)
        }
        static func tcp(_ flags: UInt8, sourcePort: UInt16 = 40000, reply: Bool = false) -> TestPacket {
            var packet = reply ? TestPacket(proto: .tcp, source: server, destination: client, sourcePort: 80, destinationPort: sourcePort)
                : TestPacket(proto: .tcp, source: client, destination: server, sourcePort: sourcePort, destinationPort: 80)
            packet.tcpFlags = flags
            return packet
        }
        static func key(_ proto: UInt8, sourcePort: UInt16 = 40000, port: UInt16) -> bl_ct_key {
            bl_ct_key(proto: proto, source: client, destination: server, sourcePort: sourcePort, destinationPort: port)
        }

        @Test("a new allowed flow is tracked; its next packets and its replies pass and are counted per direction",
              arguments: cases)
        func newEstablishedReply(variant: FilterVariant, kind: CTTableKind) throws {
            try Self.with(variant, kind) { (ct: Harness) throws in
                #expect(try ct.fromClient(Self.udp()) == .allow)
                #expect(try ct.fromServer(Self.udpReply()) == .allow)
                #expect(try ct.fromClient(Self.udp()) == .allow)
                let entry = try #require(try ct.filter.table.lookup(Self.key(17, port: 5000)))
                #expect(entry.packets_original == 2 && entry.packets_reply == 1 && entry.seen_reply == 1)
                #expect(try ct.counter(BL_CT_CREATED) == 1)
                #expect(try ct.counter(BL_CT_HIT_ORIGINAL) == 1)
                #expect(try ct.counter(BL_CT_HIT_REPLY) == 1)
                // ICMP echo: the identifier keys request and reply alike.
                var reply = TestPacket(proto: .icmp, source: Self.server, destination: Self.client)
                reply.icmpType = 0
                #expect(try ct.fromServer(reply) == .deny)
                #expect(try ct.fromClient(TestPacket(proto: .icmp, source: Self.client, destination: Self.server)) == .allow)
                #expect(try ct.fromServer(reply) == .allow)
            }
        }

        @Test("server-side packets without a flow are unsolicited; denied new flows are not tracked", arguments: cases)
        func unsolicitedAndDenied(variant: FilterVariant, kind: CTTableKind) throws {
            try Self.with(variant, kind) { (ct: Harness) throws in
                #expect(try ct.fromServer(Self.udpReply()) == .deny)
                #expect(try ct.counter(BL_CT_UNSOLICITED) == 1)
                #expect(try ct.fromClient(Self.udp(port: 6000)) == .deny)
                #expect(try ct.counter(BL_CT_NEW_DENIED) == 1)
                #expect(try ct.fromServer(Self.udpReply(port: 6000)) == .deny)
                #expect(try ct.filter.table.count() == 0)
                // A reply's direction matters: the server's packet does not open a flow either way.
                #expect(try ct.fromClient(Self.udp()) == .allow)
                #expect(try ct.fromServer(Self.udpReply(sourcePort: 40001)) == .deny)
            }
        }

        @Test("TCP: only a SYN opens a flow; SYN-ACK establishes it; FIN or RST moves it to the close lifetime",
              arguments: cases)
        func tcpStates(variant: FilterVariant, kind: CTTableKind) throws {
            try Self.with(variant, kind) { (ct: Harness) throws in
                #expect(try ct.fromClient(Self.tcp(0x10)) == .deny) // ACK without a flow: invalid
                #expect(try ct.counter(BL_CT_INVALID) == 1)
                #expect(try ct.fromClient(Self.tcp(0x02)) == .allow)
                #expect(try ct.filter.table.lookup(Self.key(6, port: 80))?.state == UInt8(BL_CT_STATE_TCP_SYN.rawValue))
                #expect(try ct.fromServer(Self.tcp(0x12, reply: true)) == .allow)
                #expect(try ct.filter.table.lookup(Self.key(6, port: 80))?.state == UInt8(BL_CT_STATE_TCP_ESTABLISHED.rawValue))
                #expect(try ct.fromClient(Self.tcp(0x10)) == .allow)
                #expect(try ct.fromClient(Self.tcp(0x11)) == .allow) // FIN
                #expect(try ct.filter.table.lookup(Self.key(6, port: 80))?.state == UInt8(BL_CT_STATE_TCP_CLOSING.rawValue))
                // RST from the server closes another flow.
                #expect(try ct.fromClient(Self.tcp(0x02, sourcePort: 40001)) == .allow)
                #expect(try ct.fromServer(Self.tcp(0x04, sourcePort: 40001, reply: true)) == .allow)
                #expect(try ct.filter.table.lookup(Self.key(6, sourcePort: 40001, port: 80))?.state
                        == UInt8(BL_CT_STATE_TCP_CLOSING.rawValue))
            }
        }

        @Test("an entry past its timeout is absent: its reply is unsolicited and a new flow overwrites it", arguments: cases)
        func timeout(variant: FilterVariant, kind: CTTableKind) throws {
            try Self.with(variant, kind) { (ct: Harness) throws in
                #expect(try ct.fromClient(Self.udp()) == .allow)
                var aged = try #require(try ct.filter.table.lookup(Self.key(17, port: 5000)))
                aged.last_seen_ns -= 31_000_000_000 // udp timeout 30 s
                try ct.filter.table.insert(Self.key(17, port: 5000), aged)
                #expect(try ct.fromServer(Self.udpReply()) == .deny)
                #expect(try ct.counter(BL_CT_UNSOLICITED) == 1)
                #expect(try ct.fromClient(Self.udp()) == .allow)
                #expect(try ct.counter(BL_CT_EXPIRED_REUSED) == 1)
                #expect(try ct.fromServer(Self.udpReply()) == .allow)
                // TCP close lifetime: a closing flow ages out after tcp_close, not tcp_established.
                #expect(try ct.fromClient(Self.tcp(0x02)) == .allow)
                #expect(try ct.fromServer(Self.tcp(0x12, reply: true)) == .allow)
                #expect(try ct.fromClient(Self.tcp(0x11)) == .allow)
                var closing = try #require(try ct.filter.table.lookup(Self.key(6, port: 80)))
                closing.last_seen_ns -= 121_000_000_000 // tcp_close 120 s; established would be 5 days
                try ct.filter.table.insert(Self.key(6, port: 80), closing)
                #expect(try ct.fromServer(Self.tcp(0x10, reply: true)) == .deny)
            }
        }

        @Test("a full plain hash refuses new flows (counted) and keeps its live ones")
        func fullPlainHashRefuses() throws {
            try Self.with(.xdp, .swept, capacity: 64) { (ct: Harness) throws in
                for port in UInt16(0)..<64 { #expect(try ct.fromClient(Self.udp(sourcePort: 41000 + port)) == .allow) }
                #expect(try ct.fromClient(Self.udp(sourcePort: 42000)) == .deny)
                #expect(try ct.counter(BL_CT_REFUSED_FULL) == 1)
                #expect(try ct.fromServer(Self.udpReply(sourcePort: 41000)) == .allow)
            }
        }

        @Test("a full LRU hash evicts live flows; their next TCP segment is counted invalid")
        func lruEvictsLive() throws {
            try Self.with(.tc, .lru, capacity: 64) { (ct: Harness) throws in
                for port in UInt16(0)..<256 { #expect(try ct.fromClient(Self.tcp(0x02, sourcePort: 41000 + port)) == .allow) }
                #expect(try ct.counter(BL_CT_REFUSED_FULL) == 0)
                #expect(try ct.filter.table.count() <= 64)
                var dropped = 0
                for port in UInt16(0)..<256 where try ct.fromClient(Self.tcp(0x10, sourcePort: 41000 + port)) == .deny { dropped += 1 }
                #expect(dropped > 0)
                #expect(try ct.counter(BL_CT_INVALID) == UInt64(dropped))
            }
        }

        @Test("a sweep deletes the expired entries and keeps the live ones")
        func sweep() throws {
            try Self.with(.xdp, .swept) { (ct: Harness) throws in
                for port in UInt16(0)..<20 { #expect(try ct.fromClient(Self.udp(sourcePort: 41000 + port)) == .allow) }
                for port in UInt16(0)..<8 {
                    var entry = try #require(try ct.filter.table.lookup(Self.key(17, sourcePort: 41000 + port, port: 5000)))
                    entry.last_seen_ns -= 40_000_000_000
                    try ct.filter.table.insert(Self.key(17, sourcePort: 41000 + port, port: 5000), entry)
                }
                let sweep = try CTSweep.run(ct.filter.table, lifetimes: ct.filter.lifetimes)
                #expect(sweep.examined == 20)
                #expect(Set(sweep.deleted.map(\.sport)) == Set((0..<8).map { 41000 + $0 }))
                #expect(try ct.filter.table.count() == 12)
                #expect(try ct.fromServer(Self.udpReply(sourcePort: 41010)) == .allow)
            }
        }

        @Test("replacing the table under the running program starts empty, at the new size")
        func replaceTable() throws {
            try Self.with(.tc, .swept) { (ct: Harness) throws in
                #expect(try ct.fromClient(Self.udp()) == .allow)
                let fresh = try ct.filter.replaceTable(capacity: 100)
                #expect(fresh.capacity == 100)
                #expect(try fresh.count() == 0)
                #expect(try ct.fromServer(Self.udpReply()) == .deny)
                #expect(try ct.fromClient(Self.udp()) == .allow)
                #expect(try fresh.count() == 1)
            }
        }
    }
}
