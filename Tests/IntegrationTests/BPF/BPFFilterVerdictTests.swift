#if canImport(Glibc)
import Glibc
#endif
import LabBPF
import LabNetwork
import LabPolicy
import LabTestSupport
import Testing

extension KernelTests {
    /// The real programs, run by the kernel on crafted frames through BPF_PROG_TEST_RUN (no interface
    /// needed), for both variants and both default actions.
    @Suite("BPF filter verdicts")
    struct BPFFilterVerdictTests {
        static func address(_ text: String) -> IPv4Address { IPv4Address(text)! }
        static func prefix(_ text: String) -> IPv4Prefix { IPv4Prefix(text)! }

        static let server = address("198.18.1.1")
        static let rules: [Rule] = [
            /* 0 */ Rule(action: .deny, source: prefix("198.18.16.0/24"), proto: .tcp, destinationPorts: PortRange(port: 22)),
            /* 1 */ Rule(action: .allow, source: prefix("198.18.16.0/20"), proto: .tcp, destinationPorts: PortRange(20, 23)),
            /* 2 */ Rule(action: .allow, destination: prefix("198.18.1.1/32"), proto: .udp, destinationPorts: PortRange(1000, 2000)),
            /* 3 */ Rule(action: .deny, source: prefix("198.18.16.7/32"), proto: .icmp),
            /* 4 */ Rule(action: .allow, proto: .icmp),
            /* 5 */ Rule(action: .allow, source: prefix("198.18.64.0/18")),
            /* 6 */ Rule(action: .allow, source: prefix("198.18.32.0/24"), proto: .udp),
            /* 7 */ Rule(action: .deny, source: prefix("198.18.32.0/20"), proto: .udp),
        ]

        /// What a packet should get: the action of rule `index`, the default action, or a pass that the
        /// policy never sees (not IPv4, malformed).
        enum Expected {
            case rule(Int)
            case defaultAction
            case passUnfiltered
        }

        struct Case: CustomTestStringConvertible {
            let name: String
            let packet: [UInt8]
            let expected: Expected
            /// Less than an IPv4 header after the Ethernet header (see craftedPacket).
            var shortIPv4 = false
            var testDescription: String { name }
        }

        static func tcp(_ source: String, _ port: UInt16, _ edit: (inout TestPacket) -> Void = { _ in }) -> [UInt8] {
            var packet = TestPacket(proto: .tcp, source: address(source), destination: server, destinationPort: port)
            edit(&packet)
            return packet.bytes
        }

        static func udp(_ source: String, _ port: UInt16, to destination: IPv4Address = server) -> [UInt8] {
            TestPacket(proto: .udp, source: address(source), destination: destination, destinationPort: port).bytes
        }

        static let cases: [Case] = {
            let plain = TestPacket(proto: .tcp, source: address("198.18.16.5"), destination: server, destinationPort: 22)
            var badIHL = plain.bytes
            badIHL[plain.ipv4Offset] = 0x44
            // Record-route option (type 7, length 7, pointer 4) + NOP: 8 option bytes, ihl 7. A parser that
            // ignored ihl would read 0x0707 as the destination port, which no rule names.
            let recordRoute: [UInt8] = [7, 7, 4, 0, 0, 0, 0, 1]
            return [
                Case(name: "first match: deny /24 before allow /20", packet: tcp("198.18.16.5", 22), expected: .rule(0)),
                Case(name: "outside the /24, inside the /20", packet: tcp("198.18.17.5", 22), expected: .rule(1)),
                Case(name: "inside the /24, port only in the later rule's range", packet: tcp("198.18.16.5", 23), expected: .rule(1)),
                Case(name: "allow /24 before deny /20 (udp)", packet: udp("198.18.32.9", 53), expected: .rule(6)),
                Case(name: "deny /20 outside the allowed /24 (udp)", packet: udp("198.18.33.9", 53), expected: .rule(7)),
                Case(name: "no rule matches", packet: tcp("198.18.200.1", 9999), expected: .defaultAction),
                Case(name: "port below the range (lo-1)", packet: udp("198.18.200.1", 999), expected: .defaultAction),
                Case(name: "port at the range's low end", packet: udp("198.18.200.1", 1000), expected: .rule(2)),
                Case(name: "port at the range's high end", packet: udp("198.18.200.1", 2000), expected: .rule(2)),
                Case(name: "port above the range (hi+1)", packet: udp("198.18.200.1", 2001), expected: .defaultAction),
                Case(name: "range rule on another destination", packet: udp("198.18.200.1", 1500, to: address("198.18.1.2")), expected: .defaultAction),
                Case(name: "icmp from the denied host", packet: TestPacket(proto: .icmp, source: address("198.18.16.7"), destination: server).bytes, expected: .rule(3)),
                Case(name: "icmp from anyone else", packet: TestPacket(proto: .icmp, source: address("198.18.16.8"), destination: server).bytes, expected: .rule(4)),
                Case(name: "IP options: L4 found at ihl*4", packet: tcp("198.18.16.5", 22) { $0.ipOptions = recordRoute }, expected: .rule(0)),
                Case(name: "longest IP options (40 bytes)", packet: tcp("198.18.17.5", 21) { $0.ipOptions = [UInt8](repeating: 1, count: 40) }, expected: .rule(1)),
                Case(name: "VLAN-tagged frame", packet: tcp("198.18.16.5", 22) { $0.vlanTags = [100] }, expected: .rule(0)),
                Case(name: "first fragment carries ports", packet: tcp("198.18.16.5", 22) { $0.moreFragments = true }, expected: .rule(0)),
                Case(name: "non-first fragment: port rules cannot match", packet: tcp("198.18.16.5", 22) { $0.fragmentOffset = 185 }, expected: .defaultAction),
                Case(name: "non-first fragment: a portless rule matches", packet: tcp("198.18.64.1", 22) { $0.fragmentOffset = 185; $0.moreFragments = true }, expected: .rule(5)),
                Case(name: "ARP", packet: TestPacket.arpRequest(sender: address("198.18.16.5"), target: server), expected: .passUnfiltered),
                Case(name: "IPv6", packet: TestPacket.ipv6UDP(destinationPort: 53), expected: .passUnfiltered),
                Case(name: "IPv4 header cut short", packet: plain.truncated(to: plain.ipv4Offset + 12), expected: .passUnfiltered, shortIPv4: true),
                Case(name: "TCP header cut short", packet: plain.truncated(to: plain.ipv4Offset + 20 + 10), expected: .passUnfiltered),
                Case(name: "options longer than the frame", packet: TestPacket(proto: .udp, source: address("198.18.16.5"), destination: server).truncated(to: 14 + 20 + 4).enumerated().map { $0.offset == 14 ? 0x4f : $0.element }, expected: .passUnfiltered),
                Case(name: "ihl < 5", packet: badIHL, expected: .passUnfiltered),
                Case(name: "VLAN tag cut short", packet: Array(tcp("198.18.16.5", 22) { $0.vlanTags = [100] }.prefix(16)), expected: .passUnfiltered),
            ]
        }()

        static func expectedVerdict(_ expected: Expected, default defaultAction: Action) -> Action {
            switch expected {
            case .rule(let index): return rules[index].action == .allow ? .allow : .deny
            case .defaultAction: return defaultAction == .allow ? .allow : .deny
            case .passUnfiltered: return .allow
            }
        }

        /// A fresh filter, so counters start at zero.
        static func filter(_ variant: FilterVariant, _ defaultAction: Action) throws -> BPFFilter {
            try BPFFilter(variant: variant, policy: Policy(rules: rules, defaultAction: defaultAction))
        }

        @Test("crafted packets", arguments: FilterVariant.allCases, cases)
        func craftedPacket(variant: FilterVariant, testCase: Case) throws {
            try BPFTestEnvironment.requireFilterLoads()
            if variant == .tc && testCase.shortIPv4 { return } // see shortIPv4ThroughTC
            for defaultAction in [Action.deny, .allow] {
                let run = try Self.filter(variant, defaultAction).run(testCase.packet)
                #expect(run.verdict == Self.expectedVerdict(testCase.expected, default: defaultAction),
                        "default \(defaultAction.rawValue)")
            }
        }

        @Test("tc: a frame with less than an IPv4 header passes")
        func shortIPv4ThroughTC() throws {
            try BPFTestEnvironment.requireFilterLoads()
            let filter = try Self.filter(.tc, .deny)
            for testCase in Self.cases where testCase.shortIPv4 {
                do {
                    #expect(try filter.run(testCase.packet).verdict == .allow, "\(testCase.name)")
                } catch let error as BPFError where error.errno == EINVAL {
                    // bpf_prog_test_run_skb (net/bpf/test_run.c) refuses an IPv4 frame with less than an
                    // IPv4 header since a 2026 stable change (lore.kernel.org message
                    // 20260408034623.180320-2-sun.jian.kdev@gmail.com): the harness cannot hand this
                    // frame to a tc program. The xdp case runs the same parser on it.
                    let reason = "skipped: this kernel's skb test-run refuses a frame shorter than an IPv4 header (\(error))"
                    try Test.cancel(Comment(rawValue: reason))
                }
            }
        }

        @Test("each verdict is counted once, under its reason", arguments: FilterVariant.allCases)
        func counters(variant: FilterVariant) throws {
            try BPFTestEnvironment.requireFilterLoads()
            let filter = try Self.filter(variant, .deny)
            let runnable = Self.cases.filter { variant == .xdp || !$0.shortIPv4 }
            for testCase in runnable { _ = try filter.run(testCase.packet) }
            let counters = try filter.counters()
            func count(_ expected: (Expected) -> Bool) -> UInt64 { UInt64(runnable.filter { expected($0.expected) }.count) }
            let ruleCases = runnable.compactMap { if case .rule(let index) = $0.expected { return index }; return nil }
            #expect(counters[.passedNotIPv4].packets == 2)
            #expect(counters[.passedNotIPv4].packets + counters[.passedMalformed].packets
                    == count { if case .passUnfiltered = $0 { return true }; return false })
            #expect(counters[.deniedByDefault].packets == count { if case .defaultAction = $0 { return true }; return false })
            #expect(counters[.allowedByDefault].packets == 0)
            #expect(counters[.deniedByRule].packets == UInt64(ruleCases.filter { Self.rules[$0].action == .deny }.count))
            #expect(counters[.allowedByRule].packets == UInt64(ruleCases.filter { Self.rules[$0].action == .allow }.count))
            let bytes = runnable.filter { if case .defaultAction = $0.expected { return true }; return false }.reduce(0) { $0 + $1.packet.count }
            #expect(counters[.deniedByDefault].bytes == UInt64(bytes))
        }

        @Test("the fragment rule agrees with the reference evaluator's portless flow", arguments: FilterVariant.allCases)
        func fragmentsAgreeWithReference(variant: FilterVariant) throws {
            try BPFTestEnvironment.requireFilterLoads()
            let policy = Policy(rules: Self.rules, defaultAction: .deny)
            let filter = try BPFFilter(variant: variant, policy: policy)
            for source in ["198.18.16.5", "198.18.17.5", "198.18.64.1", "198.18.200.1"] {
                var packet = TestPacket(proto: .tcp, source: Self.address(source), destination: Self.server, destinationPort: 22)
                packet.fragmentOffset = 100
                let flow = Flow(proto: .tcp, source: Self.address(source), destination: Self.server)
                let expected: Action = ReferenceEvaluator.verdict(policy, flow) == .allow ? .allow : .deny
                #expect(try filter.run(packet.bytes).verdict == expected, "\(source)")
            }
        }

        @Test("the maps hold exactly the compiled image", arguments: FilterVariant.allCases)
        func installedImage(variant: FilterVariant) throws {
            try BPFTestEnvironment.requireFilterLoads()
            let filter = try BPFFilter(variant: variant, policy: Policy(rules: Self.rules, defaultAction: .deny))
            #expect(try filter.installedImage() == filter.image)
            // Every entry and the masks, in both banks, and the switch to bank 0.
            #expect(filter.installReport.written == 2 * (filter.image.entryCount + 1) + 1)
            #expect(try filter.standbyBankImage() == filter.image)
        }

        /// In place, an update that shifts clause bits lets a packet meet new host entries with old
        /// masks; the standby bank is what rules that out. Deterministic evidence: the previous
        /// policy is still intact in the other bank after the switch.
        @Test("an update is written into the standby bank and switched in whole, writing only what changed",
              arguments: FilterVariant.allCases)
        func update(variant: FilterVariant) throws {
            try BPFTestEnvironment.requireFilterLoads()
            let before = Policy(rules: Self.rules, defaultAction: .deny)
            let filter = try BPFFilter(variant: variant, policy: before)
            let probe = Self.tcp("198.18.200.1", 8080)
            #expect(try filter.run(probe).verdict == .deny)

            var after = before
            after.rules.insert(Rule(action: .allow, source: Self.prefix("198.18.200.0/24"), proto: .tcp, destinationPorts: PortRange(port: 8080)), at: 0)
            let beforeImage = filter.image
            let afterImage = try BPFPolicyCompiler.compile(after)
            let first = try filter.update(to: afterImage)
            // The standby bank was filled at install: even the first update writes only what changed.
            let changed = afterImage.sourcePrefixes.filter { !beforeImage.sourcePrefixes.contains($0) }.count
            #expect(first.maps.first { $0.map == "bl_src_prefixes" }?.written == changed)
            #expect(try filter.installedImage() == filter.image)
            #expect(try filter.run(probe).verdict == .allow)
            let standby = try filter.standbyBankImage()
            #expect(standby.sourcePrefixes == beforeImage.sourcePrefixes && standby.sourceHosts == beforeImage.sourceHosts)
            #expect(standby.masks == beforeImage.masks && standby.portRuns == beforeImage.portRuns)

            // The second update lands in the bank that holds `before`: only the difference is written.
            var next = after
            next.rules.removeAll { $0.source == Self.prefix("198.18.64.0/18") }
            let nextImage = try BPFPolicyCompiler.compile(next)
            let report = try filter.update(to: nextImage)
            #expect(try filter.installedImage() == nextImage)
            #expect(try filter.run(probe).verdict == .allow)
            let gone = Set(beforeImage.sourcePrefixes.map(\.prefix)).subtracting(nextImage.sourcePrefixes.map(\.prefix))
            #expect(!gone.isEmpty)
            #expect(report.maps.first { $0.map == "bl_src_prefixes" }?.deleted == gone.count)
            #expect(report.maps.last?.map == "bl_active")

            let changedDefault = Policy(rules: next.rules, defaultAction: .allow)
            #expect(throws: BPFPolicyUnsupported.self) { try filter.update(to: try BPFPolicyCompiler.compile(changedDefault)) }
        }
    }
}
