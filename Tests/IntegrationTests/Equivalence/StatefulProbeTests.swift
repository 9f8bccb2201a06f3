import Foundation
import LabBackends
import LabNetwork
import LabPolicy
import LabResults
import LabRunner
import LabSystem
import LabTestSupport
import LabTopology
import LabTraffic
import Testing

extension KernelTests {
    /// A stateful policy on the routed topology, through every netfilter backend: the flow probes
    /// and the state probes (unsolicited server-side packets, an invalid client ACK) agree with the
    /// reference, and a ruleset that lets the server side in is caught.
    @Suite("Stateful equivalence on the real kernel")
    struct StatefulProbeTests {
        static let backends: [BackendKind] = [.nftables, .iptablesNft, .iptablesLegacy, .iptablesIpset]

        static var policy: Policy {
            Policy(rules: [
                Rule(action: .deny, source: IPv4Prefix("198.19.0.0/24")),
                Rule(action: .allow, proto: .tcp, destinationPorts: PortRange(port: 5201)),
                Rule(action: .allow, proto: .udp, destinationPorts: PortRange(7000, 7010)),
                Rule(action: .allow, proto: .icmp),
            ], defaultAction: .deny, tracking: ConnectionTracking(
                timeouts: ConntrackTimeouts(tcpSyn: 5, tcpEstablished: 600, tcpClose: 5, udp: 10, icmp: 5), tableSize: 65536))
        }

        func withInstalled<T>(_ kind: BackendKind, _ body: (Topology, TrafficContext, any Installation) throws -> T) throws -> T {
            try withTestJournal("stateful") { journal in
                let topology = try TopologyBuilder.up(.routed, journal: journal)
                let scratch = try TestEnvironment.temporaryDirectory("stateful")
                defer { try? FileManager.default.removeItem(atPath: scratch) }
                let backend = try BackendFactory.make(kind)
                let installation = try backend.install(try backend.compile(Self.policy), policy: Self.policy, at: topology.filterPoint)
                defer { try? installation.remove() }
                let context = TrafficContext(topology: topology, scratchDirectory: scratch, agentExecutable: TestEnvironment.benchlabBinary)
                return try body(topology, context, installation)
            }
        }

        @Test("a stateful policy passes flow and state probes", arguments: backends)
        func statefulPolicyIsEquivalent(kind: BackendKind) throws {
            try withInstalled(kind) { _, context, installation in
                #expect(installation.gates["net.netfilter.nf_conntrack_tcp_loose"] == "0")
                #expect(installation.gates["net.netfilter.nf_conntrack_timestamp"] == "1")
                #expect(installation.gates["net.netfilter.nf_conntrack_tcp_timeout_established"] == "600")
                #expect(installation.gates["net.netfilter.nf_conntrack_udp_timeout_stream"] == "10")
                let record = try Equivalence.check(Self.policy, in: context)
                let flowProbes = ProbeSetGenerator().probes(for: Self.policy).count
                #expect(record.probes == flowProbes + 5, "four unsolicited server-side packets and one invalid client ACK")
                #expect(record.passed, "\(record.mismatches)")
            }
        }

        @Test("removing a stateful install leaves the namespace's firewall empty, and the host's untouched", arguments: backends)
        func removalLeavesNothing(kind: BackendKind) throws {
            let host = try FirewallSnapshot.take(nil)
            try withInstalled(kind) { topology, _, installation in
                try installation.remove()
                let left = try FirewallSnapshot.take(topology.filterPoint.namespace)
                #expect(left.isEmpty, "\(left)")
            }
            #expect(try FirewallSnapshot.take(nil) == host)
        }

        /// What CaseExecutor's update check does, under a stateful policy: the target flow is tracked
        /// before the update (its first probe passed), and the probe after the update is still
        /// dropped — each probe socket takes a fresh ephemeral port, so it is a new flow the new
        /// rule decides, not a tracked one riding on the old verdict.
        @Test("an update is proved under a stateful policy: a tracked flow does not mask the new rule", arguments: backends)
        func updateUnderStatefulPolicy(kind: BackendKind) throws {
            try withInstalled(kind) { _, context, installation in
                let target = Flow(proto: .udp, source: IPv4Address("198.19.255.254")!, destination: AddressPlan.server, destinationPort: 7001)
                let control = Flow(proto: .udp, source: IPv4Address("198.19.255.253")!, destination: AddressPlan.server, destinationPort: 7001)
                let before = try ProbeRun.observe([target, control], in: context)
                #expect(before.map(\.verdict) == [.allowed, .allowed])
                _ = try installation.update(adding: Rule(action: .deny, source: IPv4Prefix(address: target.source, length: 32)))
                let (after, _) = try ProbeRun.observeAdaptively([target, control], in: context)
                #expect(after.map(\.verdict) == [.denied, .allowed])
            }
        }

        @Test("state probes catch a ruleset that accepts everything from the server side")
        func brokenRulesetIsCaught() throws {
            try withInstalled(.nftables) { topology, context, _ in
                let point = topology.filterPoint
                let egress = try #require(point.egressInterface)
                try Subprocess.run(Command("nft", ["insert", "rule", "ip", "benchlab", "blstate", "iifname", egress, "accept"])
                    .inNamespace(point.namespace)).requireSuccess("break the stateful ruleset")
                let record = try Equivalence.check(Self.policy, in: context)
                #expect(!record.passed)
                let unsolicited = record.mismatches.filter { $0.flow.contains("from the server side") }
                #expect(unsolicited.count == 4, "\(record.mismatches)")
                #expect(unsolicited.allSatisfy { $0.expected == "denied" && $0.observed == "allowed" })
            }
        }

        @Test("state probes catch a ruleset that lets invalid packets through")
        func invalidAcceptedIsCaught() throws {
            try withInstalled(.iptablesNft) { topology, context, _ in
                let point = topology.filterPoint
                // Accepting invalid before the state chain drops it: the client's handshake-less ACK
                // now passes (the rules allow its port), and so do the server's unsolicited TCP segments.
                try Subprocess.run(Command("iptables-nft", ["-w", "-I", "BLSTATE", "1", "-m", "conntrack", "--ctstate", "INVALID", "-j", "ACCEPT"])
                    .inNamespace(point.namespace)).requireSuccess("break the stateful ruleset")
                let record = try Equivalence.check(Self.policy, in: context)
                #expect(record.mismatches.contains { $0.flow.hasPrefix("TCP ACK from the client side") && $0.observed == "allowed" },
                        "\(record.mismatches)")
            }
        }
    }
}
