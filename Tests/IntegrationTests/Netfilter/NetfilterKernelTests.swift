import Foundation
@testable import LabBackends
import LabNetwork
import LabPolicy
import LabRunner
import LabScenario
import LabSystem
import LabTestSupport
import LabTopology
import LabTraffic
import Testing

extension KernelTests {
    /// Each netfilter backend on the real kernel, each in its own topologies: verdicts equal the
    /// reference evaluator's, counters count exactly the packets sent, updates take effect, removal
    /// leaves the namespace's firewall empty, and the root namespace's firewall never changes.
    @Suite("Netfilter backends on the real kernel")
    struct NetfilterKernelTests {
        static func prefix(_ text: String) -> IPv4Prefix { IPv4Prefix(text)! }
        static func address(_ text: String) -> IPv4Address { IPv4Address(text)! }
        static let ports: [UInt16] = [7001, 7005]

        /// Routed, FORWARD, default allow: a two-prefix deny clause first (a set for ipset and nftables),
        /// an exception, a port range, a destination that does not match the server, a catch for the rest.
        static let routedPolicy = Policy(rules: [
            Rule(action: .deny, source: prefix("198.18.16.0/24")),
            Rule(action: .deny, source: prefix("198.18.20.0/24")),
            Rule(action: .allow, source: prefix("198.18.24.5/32"), destination: prefix("198.18.1.0/24"), proto: .udp,
                 destinationPorts: PortRange(port: 7001)),
            Rule(action: .deny, proto: .udp, destinationPorts: PortRange(7002, 7010)),
            Rule(action: .allow, source: prefix("198.18.24.0/24"), destination: prefix("198.18.1.128/25"), proto: .udp,
                 destinationPorts: PortRange(port: 7001)),
            Rule(action: .deny, source: prefix("198.18.24.0/24"), proto: .udp, destinationPorts: PortRange(port: 7001)),
            Rule(action: .deny, proto: .tcp),
        ], defaultAction: .allow)

        static let routedFlows: [(IPv4Address, UInt16)] = [
            (address("198.18.16.9"), 7001), (address("198.18.20.1"), 7001), (address("198.18.24.5"), 7001),
            (address("198.18.24.6"), 7001), (address("198.18.32.1"), 7005), (address("198.18.32.1"), 7001),
            (address("198.18.40.1"), 7001),
        ]

        /// The first joins the deny set where there is one; the second, of the other action, cannot and
        /// goes in front as a rule — and re-allows a source the set denies.
        static let updates = [
            Rule(action: .deny, source: prefix("198.18.32.0/24")),
            Rule(action: .allow, source: prefix("198.18.16.9/32"), proto: .udp, destinationPorts: PortRange(port: 7001)),
        ]

        /// Pair, INPUT, default deny: only UDP 7001 from two prefixes gets through.
        static let pairPolicy = Policy(rules: [
            Rule(action: .allow, source: prefix("198.18.16.0/24"), proto: .udp, destinationPorts: PortRange(port: 7001)),
            Rule(action: .allow, source: prefix("198.18.20.0/24"), proto: .udp, destinationPorts: PortRange(port: 7001)),
        ], defaultAction: .deny)

        static let pairFlows: [(IPv4Address, UInt16)] = [
            (address("198.18.16.1"), 7001), (address("198.18.20.1"), 7001), (address("198.18.32.1"), 7001), (address("198.18.16.1"), 7005),
        ]

        @Test("iptables-legacy: FORWARD and INPUT, verdicts, counters, update, removal")
        func iptablesLegacy() throws { try exercise(.iptablesLegacy) }

        @Test("iptables-nft: FORWARD and INPUT, verdicts, counters, update, removal")
        func iptablesNft() throws { try exercise(.iptablesNft) }

        @Test("iptables-ipset: FORWARD and INPUT, verdicts, counters, update, removal")
        func iptablesIpset() throws { try exercise(.iptablesIpset) }

        @Test("nftables: FORWARD and INPUT, verdicts, counters, update, removal")
        func nftables() throws { try exercise(.nftables) }

        /// The drop-point ladder's rungs: the same stateless policy hooked earlier in the receive path
        /// (raw PREROUTING, filter with NOTRACK, prerouting at raw priority, netdev ingress).
        @Test("drop points: verdicts, probes, counters, update, removal at the routed and the pair point",
              arguments: [BackendKind.iptablesRaw, .iptablesNotrack, .nftablesPrerouting, .nftablesIngress])
        func dropPoint(kind: BackendKind) throws { try exercise(kind) }

        func exercise(_ kind: BackendKind) throws {
            let rootBefore = try FirewallSnapshot.take(nil)
            try withTestJournal("nf-\(kind.rawValue)") { journal in
                try NetfilterKernelSupport.require(kind, journal: journal)
                try routed(kind, journal: journal)
                try pair(kind, journal: journal)
            }
            let rootAfter = try FirewallSnapshot.take(nil)
            #expect(rootAfter == rootBefore, "the root namespace's firewall changed: \(rootBefore) → \(rootAfter)")
        }

        func routed(_ kind: BackendKind, journal: Journal) throws {
            let topology = try TopologyBuilder.up(.routed, journal: journal)
            let point = topology.filterPoint
            let backend = try BackendFactory.make(kind)
            try withChecker(topology, echoServers: false) { checker in
                var effective = Self.routedPolicy
                let installation = try backend.install(backend.compile(effective), policy: effective, at: point)
                #expect((installation.installMilliseconds ?? 0) > 0)
                expectGates(installation)
                try expectEquivalent(effective, checker)
                try checker.withEchoServers(Self.ports) {
                    try expectVerdicts(effective, Self.routedFlows, checker, installation)
                    for rule in Self.updates {
                        let updateMs = try installation.update(adding: rule)
                        #expect((updateMs ?? 0) > 0)
                        effective.rules.insert(rule, at: 0)
                        try expectVerdicts(effective, Self.routedFlows, checker, installation)
                    }
                    #expect(try installation.installedEntries() != nil)
                    try expectFirstUpdateJoinedSet(backend, point)
                    try expectUntracked(kind, Self.routedFlows.map(\.0), point)
                    try expectRemoval(installation, Self.routedFlows, checker)
                }
            }
        }

        func pair(_ kind: BackendKind, journal: Journal) throws {
            let topology = try TopologyBuilder.up(.pair, journal: journal)
            let point = topology.filterPoint
            #expect(point.hook == .input)
            let backend = try BackendFactory.make(kind)
            try withChecker(topology, echoServers: false) { checker in
                let installation = try backend.install(backend.compile(Self.pairPolicy), policy: Self.pairPolicy, at: point)
                expectGates(installation)
                try expectEquivalent(Self.pairPolicy, checker)
                try checker.withEchoServers(Self.ports) {
                    try expectVerdicts(Self.pairPolicy, Self.pairFlows, checker, installation)
                    try expectUntracked(kind, Self.pairFlows.map(\.0), point)
                    try expectRemoval(installation, Self.pairFlows, checker)
                }
            }
        }

        /// `echoServers` false: the caller starts them itself, after the equivalence probes (which
        /// listen on the service ports themselves).
        func withChecker(_ topology: Topology, echoServers: Bool = true, _ body: (UDPFlowChecker) throws -> Void) throws {
            let scratch = try TestEnvironment.temporaryDirectory("netfilter")
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            let checker = UDPFlowChecker(context: TrafficContext(topology: topology, scratchDirectory: scratch,
                                                                 agentExecutable: TestEnvironment.benchlabBinary))
            guard echoServers else { return try body(checker) }
            try checker.withEchoServers(Self.ports) { try body(checker) }
        }

        /// Every flow's verdict equals the reference's, and the counters moved by exactly the requests
        /// sent: one filter decision per request, none for the replies.
        func expectVerdicts(_ policy: Policy, _ flows: [(IPv4Address, UInt16)], _ checker: UDPFlowChecker,
                            _ installation: any Installation) throws {
            let before = try installation.counters()
            var allowed = 0
            var denied = 0
            for (source, port) in flows {
                let outcome = try checker.send(from: source, port: port)
                let expected = ReferenceEvaluator.verdict(policy, outcome.flow)
                #expect(outcome.observed == expected, "\(installation.backend.rawValue): \(outcome.flow)")
                if expected == .allow { allowed += outcome.sent } else { denied += outcome.sent }
            }
            let after = try installation.counters()
            #expect(after.allowedPackets - before.allowedPackets == UInt64(allowed), "\(installation.backend.rawValue): allowed packets")
            #expect(after.deniedPackets - before.deniedPackets == UInt64(denied), "\(installation.backend.rawValue): denied packets")
        }

        func expectGates(_ installation: any Installation) {
            let gates = installation.gates
            let hook = installation.point.hook == .forward ? "FORWARD" : "INPUT"
            let expected: String
            switch installation.backend {
            case .iptablesLegacy, .iptablesNft, .iptablesIpset: expected = "iptables filter \(hook)"
            case .iptablesRaw: expected = "iptables raw PREROUTING"
            case .iptablesNotrack: expected = "iptables filter \(hook), raw NOTRACK"
            case .nftables: expected = "nftables filter hook \(hook.lowercased()) priority 0"
            case .nftablesPrerouting: expected = "nftables prerouting priority raw (-300)"
            case .nftablesIngress: expected = "nftables netdev ingress"
            default: expected = "?"
            }
            #expect(gates["drop_point"] == expected, "\(installation.backend.rawValue): \(gates)")
            switch installation.backend {
            case .iptablesLegacy, .iptablesRaw, .iptablesNotrack: #expect(gates["iptables_variant"] == "legacy")
            case .iptablesNft, .iptablesIpset: #expect(gates["iptables_variant"] == "nf_tables")
            case .nftables, .nftablesPrerouting: #expect(gates["nft_family"] == "ip" && gates["nft_version"] != nil)
            case .nftablesIngress: #expect(gates["nft_family"] == "netdev" && gates["nft_version"] != nil)
            default: break
            }
        }

        /// The runner's own equivalence probes (TCP, UDP, ICMP, pool sources, the service range) agree
        /// with the policy: the proof each drop point drops what the policy says and nothing else.
        func expectEquivalent(_ policy: Policy, _ checker: UDPFlowChecker) throws {
            let record = try Equivalence.check(policy, in: checker.context)
            #expect(record.passed, "\(record.mismatches)")
        }

        /// No connection from the sources sent on the ingress side is tracked: a stateless policy pulls
        /// in no conntrack at all, and iptables-notrack (whose CT target does load it) exempts the
        /// ingress side. Replies entering elsewhere may be tracked there; they are not the flood.
        func expectUntracked(_ kind: BackendKind, _ sources: [IPv4Address], _ point: FilterPoint) throws {
            guard kind == .iptablesNotrack else {
                #expect(try Self.conntrackEntries(point.namespace) == 0, "a stateless policy must not pull in conntrack")
                return
            }
            let listing = try Subprocess.run(Command("conntrack", ["-L"]).inNamespace(point.namespace), timeout: 10).requireSuccess().stdout
            // The first src= of a line is the original direction's source.
            let originals = listing.split(whereSeparator: \.isNewline).compactMap { line in
                line.split(separator: " ").first { $0.hasPrefix("src=") }.map { String($0.dropFirst(4)) }
            }
            for source in sources {
                #expect(!originals.contains("\(source)"), "iptables-notrack: \(source) was tracked:\n\(listing)")
            }
        }

        /// The set backends took the first update as one element of the existing deny set.
        func expectFirstUpdateJoinedSet(_ backend: any FilterBackend, _ point: FilterPoint) throws {
            let listing: Command
            if let ipset = backend as? IptablesIpsetBackend {
                listing = Command("ipset", ["list", IpsetRestoreFile.setName(tag: ipset.tag, clause: 0)])
            } else if let nftables = backend as? NftablesBackend {
                listing = Command("nft", ["list", "set", nftables.placement.family, "benchlab", NftablesScript.setName(clause: 0)])
            } else {
                return
            }
            let text = try Subprocess.run(listing.inNamespace(point.namespace), timeout: 10).requireSuccess().stdout
            #expect(text.contains("198.18.32.0/24"), "\(backend.kind.rawValue): the set holds the added prefix:\n\(text)")
        }

        /// Connections conntrack tracks in `namespace` (0 when conntrack is not even loaded): conntrack
        /// hooks a namespace only when something there asks for it (a ct expression, a state match).
        static func conntrackEntries(_ namespace: String) throws -> Int {
            let result = try Subprocess.run(Command("cat", ["/proc/sys/net/netfilter/nf_conntrack_count"]).inNamespace(namespace), timeout: 10)
            return result.succeeded ? Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1 : 0
        }

        /// Removal empties the namespace's firewall, twice in a row, and then every flow passes.
        func expectRemoval(_ installation: any Installation, _ flows: [(IPv4Address, UInt16)],
                           _ checker: UDPFlowChecker) throws {
            try installation.remove()
            let left = try FirewallSnapshot.take(installation.point.namespace)
            #expect(left.isEmpty, "\(installation.backend.rawValue) left: \(left)")
            try installation.remove()
            for (source, port) in flows {
                #expect(try checker.send(from: source, port: port).observed == .allow)
            }
        }
    }
}
