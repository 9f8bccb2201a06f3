import Foundation
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
    @Suite("Equivalence probes on the real kernel")
    struct ProbeTests {
        func withTopology<T>(_ shape: TopologyPreset, _ body: (Topology, TrafficContext) throws -> T) throws -> T {
            try withTestJournal("probe") { journal in
                let topology = try TopologyBuilder.up(shape, journal: journal)
                let scratch = try TestEnvironment.temporaryDirectory("probe")
                defer { try? FileManager.default.removeItem(atPath: scratch) }
                return try body(topology, TrafficContext(topology: topology, scratchDirectory: scratch, agentExecutable: TestEnvironment.benchlabBinary))
            }
        }

        /// The gateway preset's client owns only its pod CIDR, not the client pool the filter probes
        /// use (scenarios refuse a filter policy there); its probes are NAT equivalence's (SNATRunnerTests).
        @Test("with no filter every probe — TCP, UDP, ICMP, pool sources, the whole service range — gets through",
              arguments: TopologyPresets.all.filter { $0.name != TopologyPreset.gateway.name })
        func noFilterAllowsEverything(shape: TopologyPreset) throws {
            try withTopology(shape) { _, context in
                let record = try Equivalence.check(.allowAll, in: context)
                #expect(record.probes > 40)
                #expect(record.passed, "\(record.mismatches)")
            }
        }

        /// A filter installed by hand with nft (not one of benchlab's backends) shows that the probes see
        /// drops for what they are, and that a policy which does not match the filter is caught.
        @Test("probes see a hand-made drop rule, and catch a policy that disagrees with it",
              .enabled(if: ToolLocator.exists("nft"), "nft is not installed"))
        func detectsDrops() throws {
            try withTopology(.routed) { topology, context in
                let point = topology.filterPoint
                let rules = """
                    table ip bltest {
                      chain forward {
                        type filter hook forward priority filter; policy accept;
                        iifname "\(point.ingressInterface)" ip saddr 198.19.0.0/24 drop
                        iifname "\(point.ingressInterface)" tcp dport 5000-5010 drop
                      }
                    }
                    """
                try Subprocess.run(Command("nft", ["-f", "-"]).inNamespace(point.namespace), input: rules).requireSuccess("load test rules")
                let policy = Policy(rules: [
                    Rule(action: .deny, source: IPv4Prefix("198.19.0.0/24")),
                    Rule(action: .deny, proto: .tcp, destinationPorts: PortRange(5000, 5010)),
                ], defaultAction: .allow)
                let record = try Equivalence.check(policy, in: context)
                #expect(record.passed, "\(record.mismatches)")

                let wrong = Policy(rules: [Rule(action: .deny, source: IPv4Prefix("198.19.0.0/25"))], defaultAction: .allow)
                let mismatched = try Equivalence.check(wrong, in: context)
                #expect(!mismatched.passed)
                #expect(mismatched.mismatches.contains { $0.flow.hasPrefix("udp 198.19.0.128 ->") && $0.expected == "allowed" && $0.observed == "denied" })
            }
        }
    }
}
