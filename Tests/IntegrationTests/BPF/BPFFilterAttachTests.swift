import Foundation
import LabBPF
import LabPolicy
import LabSystem
import LabTestSupport
import LabTopology
import Testing

extension KernelTests {
    /// Attach, verify, pass real traffic, detach — on a veth pair in throwaway namespaces — and check
    /// that nothing is left on the interface afterwards.
    @Suite("BPF filter attachment")
    struct BPFFilterAttachTests {
        static let deniedPort: UInt16 = 7000
        static let allowedPort: UInt16 = 7001
        static let policy = Policy(rules: [
            Rule(action: .deny, proto: .udp, destinationPorts: PortRange(port: deniedPort)),
        ], defaultAction: .allow)

        /// 20 datagrams to the denied port must vanish, 20 to another port must arrive, and the filter's
        /// counters must have seen them: the program really runs on this path.
        static func expectFiltersTraffic(_ filter: BPFFilter, _ lab: ThrowawayLab) throws {
            let probe = UDPProbe(lab: lab)
            #expect(try probe.deliveredCount(port: allowedPort, count: 20) == 20)
            #expect(try probe.deliveredCount(port: deniedPort, count: 20, timeout: 0.5) == 0)
            let counters = try filter.counters()
            #expect(counters[.deniedByRule].packets == 20)
            #expect(counters[.allowedByDefault].packets >= 20)
        }

        @Test("xdp attaches in native mode to a veth, filters, and detaches cleanly")
        func xdpNative() throws {
            try BPFTestEnvironment.requireNamespaces()
            let filter = try BPFFilter(variant: .xdp, policy: Self.policy)
            try ThrowawayLab.with { lab in
                let attachment = try filter.attachXDP(to: lab.dut, mode: .native)
                try withExtendedLifetime(attachment) {
                    #expect(attachment.mode == .native)
                    let state = try XDPState.query(lab.dut)
                    #expect(state == XDPState(mode: .native, programID: try filter.program.info().id))
                    // iproute2's view agrees: "xdp" (driver) rather than "xdpgeneric".
                    let link = try lab.inDut("ip", ["link", "show", lab.dutInterface])
                    #expect(link.contains(" xdp "), "\(link)")
                    try Self.expectFiltersTraffic(filter, lab)
                }
                attachment.detach()
                #expect(try XDPState.query(lab.dut).mode == nil)
            }
        }

        /// Not benchlab's code but a kernel behaviour the report must state: with a native program on a
        /// veth, the peer stops offering TSO (veth_xdp_set clears NETIF_F_GSO_SOFTWARE from the peer's
        /// hw_features), so TCP is segmented before it crosses the pair and XDP runs once per MTU-sized
        /// packet, where tc and netfilter see one GSO skb for many segments.
        @Test("native xdp on a veth turns TSO off on its peer while attached")
        func xdpNativeDisablesPeerTSO() throws {
            try BPFTestEnvironment.requireNamespaces()
            let filter = try BPFFilter(variant: .xdp, policy: Self.policy)
            try ThrowawayLab.with { lab in
                func peerTSO() throws -> Bool {
                    let features = try Subprocess.run(Command("ethtool", ["-k", lab.clientInterface]).inNamespace(lab.clientNamespace))
                    guard features.succeeded else { try Test.cancel("ethtool unavailable: \(features.stderr)") }
                    return features.stdout.contains("tcp-segmentation-offload: on")
                }
                #expect(try peerTSO())
                let attachment = try filter.attachXDP(to: lab.dut)
                #expect(try peerTSO() == false)
                attachment.detach()
                #expect(try peerTSO())
            }
        }

        @Test("a generic-mode attach is reported as generic, not native")
        func xdpGeneric() throws {
            try BPFTestEnvironment.requireNamespaces()
            let filter = try BPFFilter(variant: .xdp, policy: Self.policy)
            try ThrowawayLab.with { lab in
                do {
                    let attachment = try filter.attachXDP(to: lab.dut, mode: .generic)
                    withExtendedLifetime(attachment) { #expect(attachment.mode == .generic) }
                    let link = try lab.inDut("ip", ["link", "show", lab.dutInterface])
                    #expect(link.contains(" xdpgeneric ") && !link.contains(" xdp "), "\(link)")
                }
                // Released, not explicitly detached: closing the link's fd is enough.
                #expect(try XDPState.query(lab.dut).mode == nil)
            }
        }

        @Test("tc attaches through tcx ingress, filters, and leaves nothing behind")
        func tcx() throws {
            try BPFTestEnvironment.requireNamespaces()
            let filter = try BPFFilter(variant: .tc, policy: Self.policy)
            try ThrowawayLab.with { lab in
                let attachment: TCAttachment
                do {
                    attachment = try filter.attachTCIngress(to: lab.dut, choice: .only(.tcx))
                } catch let error as BPFError where [EINVAL, EOPNOTSUPP, BPFError.kernelNotSupported].contains(error.errno) {
                    try Test.cancel(Comment(rawValue: "this kernel rejects tcx attachment: \(error)"))
                }
                try withExtendedLifetime(attachment) {
                    #expect(attachment.mechanism == .tcx)
                    #expect(try TCXIngressQuery.programIDs(lab.dut) == [try filter.program.info().id])
                    #expect(try lab.inDut("tc", ["qdisc", "show", "dev", lab.dutInterface]).contains("clsact") == false)
                    try Self.expectFiltersTraffic(filter, lab)
                }
                try attachment.detach()
                #expect(try TCXIngressQuery.programIDs(lab.dut).isEmpty)
            }
        }

        @Test("tc through clsact (the fallback) filters and removes the qdisc it created")
        func clsact() throws {
            try BPFTestEnvironment.requireNamespaces()
            let filter = try BPFFilter(variant: .tc, policy: Self.policy)
            try ThrowawayLab.with { lab in
                do {
                    let attachment = try filter.attachTCIngress(to: lab.dut, choice: .only(.clsact))
                    try withExtendedLifetime(attachment) {
                        #expect(attachment.mechanism == .clsact)
                        let filters = try lab.inDut("tc", ["filter", "show", "dev", lab.dutInterface, "ingress"])
                        #expect(filters.contains("bl_filter_tc") && filters.contains("direct-action"), "\(filters)")
                        try Self.expectFiltersTraffic(filter, lab)
                    }
                }
                // Released without an explicit detach: deinit removed filter and qdisc.
                #expect(try lab.inDut("tc", ["filter", "show", "dev", lab.dutInterface, "ingress"]).isEmpty)
                #expect(try lab.inDut("tc", ["qdisc", "show", "dev", lab.dutInterface]).contains("clsact") == false)
            }
        }

        @Test("clsact removal leaves a qdisc someone else created")
        func clsactKeepsForeignQdisc() throws {
            try BPFTestEnvironment.requireNamespaces()
            let filter = try BPFFilter(variant: .tc, policy: Self.policy)
            try ThrowawayLab.with { lab in
                _ = try lab.inDut("tc", ["qdisc", "add", "dev", lab.dutInterface, "clsact"])
                let attachment = try filter.attachTCIngress(to: lab.dut, choice: .only(.clsact))
                try attachment.detach()
                #expect(try lab.inDut("tc", ["filter", "show", "dev", lab.dutInterface, "ingress"]).isEmpty)
                #expect(try lab.inDut("tc", ["qdisc", "show", "dev", lab.dutInterface]).contains("clsact"))
            }
        }

        @Test("the tc backend's default choice uses tcx where the kernel has it")
        func defaultChoice() throws {
            try BPFTestEnvironment.requireNamespaces()
            let filter = try BPFFilter(variant: .tc, policy: Self.policy)
            try ThrowawayLab.with { lab in
                let attachment = try filter.attachTCIngress(to: lab.dut)
                defer { try? attachment.detach() }
                if attachment.mechanism == .clsact {
                    try Test.cancel(Comment(rawValue: "tcx unavailable, fell back to clsact: \(attachment.fallbackReason ?? "?")"))
                }
                #expect(attachment.fallbackReason == nil)
            }
        }

        @Test("the throwaway namespaces are gone after the lab, also when the body throws")
        func namespacesRemoved() throws {
            try BPFTestEnvironment.requireNamespaces()
            var names: [String] = []
            struct Deliberate: Error {}
            #expect(throws: Deliberate.self) {
                try ThrowawayLab.with { lab in
                    names = [lab.clientNamespace, lab.dutNamespace]
                    #expect(names.allSatisfy(Namespaces.exists))
                    throw Deliberate()
                }
            }
            #expect(names.count == 2 && !names.contains(where: Namespaces.exists))
        }

        @Test("an attach error names the interface and the namespace")
        func attachErrorContext() throws {
            try BPFTestEnvironment.requireNamespaces()
            let filter = try BPFFilter(variant: .xdp, policy: Self.policy)
            try ThrowawayLab.with { lab in
                let missing = InterfaceTarget(interface: "bl\(lab.tag)zz", namespace: lab.dutNamespace)
                let error = #expect(throws: BPFError.self) { try filter.attachXDP(to: missing) }
                #expect(error?.description.contains("bl\(lab.tag)zz in ns \(lab.dutNamespace)") == true)
            }
        }
    }
}
