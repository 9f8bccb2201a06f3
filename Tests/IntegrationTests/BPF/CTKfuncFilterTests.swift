import CLibBPF
import Foundation
import LabBPF
import LabNetwork
import LabPolicy
import LabSystem
import LabTestSupport
import Testing

extension KernelTests {
    /// The kfunc tracker (bpf/ct_kfunc.bpf.c) through BPF_PROG_TEST_RUN in a throwaway namespace,
    /// whose nf_conntrack table it fills: skipped, with the load failure as the reason, on a kernel
    /// without the conntrack kfuncs.
    @Suite("BPF conntrack kfunc filter")
    struct CTKfuncFilterTests {
        typealias Base = CTFilterTests

        @Test("new, reply, unsolicited, invalid and denied through nf_conntrack", arguments: FilterVariant.allCases)
        func semantics(variant: FilterVariant) throws {
            try BPFTestEnvironment.requireNamespaces()
            if let reason = CTKfuncFilter.unavailability(variant: variant) { try Test.cancel(Comment(rawValue: reason)) }
            try ThrowawayLab.with { lab in
                try NetworkNamespace.run(in: lab.dutNamespace) {
                    let client = try CTFilter.index(of: InterfaceTarget(interface: lab.dutInterface))
                    let ct = try CTKfuncFilter(variant: variant, image: try BPFPolicyCompiler.compile(Base.policy),
                                               timeouts: .kernelDefaults, clientIndex: client)
                    func fromClient(_ packet: TestPacket) throws -> Action { try ct.run(packet.bytes, ingressIndex: client).verdict }
                    func fromServer(_ packet: TestPacket) throws -> Action { try ct.run(packet.bytes, ingressIndex: 1).verdict }
                    #expect(try fromServer(Base.udpReply()) == .deny)
                    #expect(try fromClient(Base.udp()) == .allow)
                    #expect(try fromServer(Base.udpReply()) == .allow)
                    #expect(try fromClient(Base.udp()) == .allow)
                    #expect(try fromClient(Base.udp(port: 6000)) == .deny)
                    #expect(try fromClient(Base.tcp(0x10)) == .deny)
                    #expect(try fromClient(Base.tcp(0x02)) == .allow)
                    #expect(try fromServer(Base.tcp(0x12, reply: true)) == .allow)
                    let counters = try ct.counters()
                    #expect(counters[BL_CT_CREATED] == 2)
                    #expect(counters[BL_CT_HIT_REPLY] == 2)
                    #expect(counters[BL_CT_HIT_ORIGINAL] == 1)
                    #expect(counters[BL_CT_UNSOLICITED] == 1)
                    #expect(counters[BL_CT_NEW_DENIED] == 1)
                    #expect(counters[BL_CT_INVALID] == 1)
                    // nf_conntrack holds the two flows, in this namespace's table.
                    let count = try String(contentsOfFile: "/proc/sys/net/netfilter/nf_conntrack_count", encoding: .utf8)
                    #expect(count.trimmingCharacters(in: .whitespacesAndNewlines) == "2")
                }
            }
        }

        /// Seconds nf_conntrack has left on the namespace's one TCP entry (`conntrack -L`'s third field).
        static func tcpTimeoutLeft() throws -> Int? {
            let listing = try Subprocess.run(Command("conntrack", ["-L", "-p", "tcp"]), timeout: 10)
            let fields = listing.stdout.split(separator: "\n").first?.split(separator: " ", omittingEmptySubsequences: true) ?? []
            return fields.count > 2 ? Int(fields[2]) : nil
        }

        @Test("after a FIN, the connection's last ACK renews tcp_close, not tcp_established (no netfilter hook runs nf_conntrack's TCP states here)",
              arguments: FilterVariant.allCases)
        func closeIsRemembered(variant: FilterVariant) throws {
            try Self.with(variant) { _, fromClient, fromServer in
                #expect(try fromClient(Base.tcp(0x02)) == .allow)
                #expect(try fromServer(Base.tcp(0x12, reply: true)) == .allow)
                #expect(try fromClient(Base.tcp(0x10)) == .allow)
                let open = try Self.tcpTimeoutLeft() ?? 0
                #expect(open > 120, "established: tcp_established (5 days by default)")
                #expect(try fromClient(Base.tcp(0x11)) == .allow)
                #expect(try fromServer(Base.tcp(0x11, reply: true)) == .allow)
                #expect(try fromClient(Base.tcp(0x10)) == .allow)
                let closed = try Self.tcpTimeoutLeft() ?? .max
                #expect(closed <= 120, "closed: tcp_close (120 s by default)")
                // A new connection on the same tuple is open again.
                #expect(try fromClient(Base.tcp(0x02)) == .allow)
            }
        }

        /// A kfunc filter loaded in a throwaway lab's DUT namespace on `policy`; the loopback device is the server side.
        static func with(_ variant: FilterVariant, policy: Policy = Base.policy,
                         _ body: (CTKfuncFilter, _ fromClient: (TestPacket) throws -> Action,
                                  _ fromServer: (TestPacket) throws -> Action) throws -> Void) throws {
            try BPFTestEnvironment.requireNamespaces()
            if let reason = CTKfuncFilter.unavailability(variant: variant) { try Test.cancel(Comment(rawValue: reason)) }
            try ThrowawayLab.with { lab in
                try NetworkNamespace.run(in: lab.dutNamespace) {
                    let client = try CTFilter.index(of: InterfaceTarget(interface: lab.dutInterface))
                    let ct = try CTKfuncFilter(variant: variant, image: try BPFPolicyCompiler.compile(policy),
                                               timeouts: .kernelDefaults, clientIndex: client)
                    try body(ct, { try ct.run($0.bytes, ingressIndex: client).verdict },
                             { try ct.run($0.bytes, ingressIndex: 1).verdict })
                }
            }
        }

        static var echoRequest: TestPacket { TestPacket(proto: .icmp, source: Base.client, destination: Base.server) }
        static func fromServer(icmpType: UInt8) -> TestPacket {
            var packet = TestPacket(proto: .icmp, source: Base.server, destination: Base.client)
            packet.icmpType = icmpType
            return packet
        }
        /// The echo flow's key in the ICMP table: the identifier (TestPacket's 0x1234) as the source port.
        static let echoKey = Base.key(1, sourcePort: 0x1234, port: 0)

        @Test("ICMP echo is tracked in the lab's table: a reply passes after its request only", arguments: FilterVariant.allCases)
        func icmpEcho(variant: FilterVariant) throws {
            try Self.with(variant) { ct, fromClient, fromServer in
                #expect(try fromServer(Self.fromServer(icmpType: 0)) == .deny)
                #expect(try fromClient(Self.echoRequest) == .allow)
                #expect(try fromServer(Self.fromServer(icmpType: 0)) == .allow)
                #expect(try fromClient(Self.echoRequest) == .allow)
                // Other server ICMP (destination unreachable) is unsolicited, tracked echo or not.
                #expect(try fromServer(Self.fromServer(icmpType: 3)) == .deny)
                let entry = try #require(try ct.icmpTable.lookup(Self.echoKey))
                #expect(entry.packets_original == 2 && entry.packets_reply == 1 && entry.seen_reply == 1)
                let counters = try ct.counters()
                #expect(counters[BL_CT_CREATED] == 1)
                #expect(counters[BL_CT_HIT_ORIGINAL] == 1)
                #expect(counters[BL_CT_HIT_REPLY] == 1)
                #expect(counters[BL_CT_UNSOLICITED] == 2)
                #expect(counters.passed == 3 && counters.dropped == 2)
                // nf_conntrack holds no ICMP flow of the program's.
                let count = try String(contentsOfFile: "/proc/sys/net/netfilter/nf_conntrack_count", encoding: .utf8)
                #expect(count.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
            }
        }

        @Test("an ICMP echo flow past the icmp timeout is absent; a new request overwrites it", arguments: FilterVariant.allCases)
        func icmpTimeout(variant: FilterVariant) throws {
            try Self.with(variant) { ct, fromClient, fromServer in
                #expect(try fromClient(Self.echoRequest) == .allow)
                var aged = try #require(try ct.icmpTable.lookup(Self.echoKey))
                aged.last_seen_ns -= 31_000_000_000 // icmp timeout 30 s (kernelDefaults)
                try ct.icmpTable.insert(Self.echoKey, aged)
                #expect(try fromServer(Self.fromServer(icmpType: 0)) == .deny)
                #expect(try ct.counters()[BL_CT_UNSOLICITED] == 1)
                #expect(try fromClient(Self.echoRequest) == .allow)
                #expect(try ct.counters()[BL_CT_EXPIRED_REUSED] == 1)
                #expect(try fromServer(Self.fromServer(icmpType: 0)) == .allow)
            }
        }

        @Test("an echo request the policy denies opens no flow; its reply is unsolicited", arguments: FilterVariant.allCases)
        func icmpDenied(variant: FilterVariant) throws {
            let noICMP = Policy(rules: [Rule(action: .allow, proto: .udp, destinationPorts: PortRange(port: 5000))],
                                defaultAction: .deny)
            try Self.with(variant, policy: noICMP) { ct, fromClient, fromServer in
                #expect(try fromClient(Self.echoRequest) == .deny)
                #expect(try fromServer(Self.fromServer(icmpType: 0)) == .deny)
                let counters = try ct.counters()
                #expect(counters[BL_CT_NEW_DENIED] == 1)
                #expect(counters[BL_CT_UNSOLICITED] == 1)
                #expect(try ct.icmpTable.count() == 0)
            }
        }
    }
}
