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
    }
}
