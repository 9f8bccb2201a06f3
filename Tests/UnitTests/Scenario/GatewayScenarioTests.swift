import LabNetwork
import LabPolicy
import LabTopology
import Testing
@testable import LabScenario

extension ScenarioTests {
    /// `topology: gateway`, its parameterised form, and the top-level `snat:` (issue 9).
    @Suite("Gateway topology and SNAT")
    struct GatewayScenario {
        static let workloads = "workloads:\n  - type: connect\n"

        func parse(_ body: String, backends: String = "[none]") throws -> Scenario {
            try ScenarioParser.parse(text: scenarioText(body + Self.workloads, header: "name: t\ndescription: A test.\nbackends: \(backends)\n"),
                                     path: "t.yaml")
        }

        func errors(_ body: String, backends: String = "[none]") -> [String] {
            diagnostics(of: scenarioText(body + Self.workloads, header: "name: t\ndescription: A test.\nbackends: \(backends)\n"))
        }

        @Test func theNameTakesTheDefaults() throws {
            let scenario = try parse("topology: gateway\nsnat: {ports: 20000-20999}\n")
            #expect(scenario.topology == .preset(.gateway))
            #expect(scenario.topology.spec.pods.count == 64)
            #expect(scenario.variants[0].policy.snat?.ports == PortRange(20000, 20999))
        }

        @Test func aFilterPolicyOnTheGatewayIsRefused() {
            #expect(errors("topology: gateway\n") == [
                "test.yaml:4:1: topology gateway needs a top-level 'snat' block: its client is a worker node that owns only its pod CIDR, "
                    + "not the client pool a filter policy is probed from; use topology routed for a filter policy",
            ])
        }

        @Test func theMappingSetsEveryParameter() throws {
            let scenario = try parse("topology: {preset: gateway, nodes: 3, pods_per_node: 5, gateways: 2, cluster_pool: [198.19.0.0/20], node_mask: 26}\n"
                                     + "snat: {ports: 20000-20999}\n")
            let spec = scenario.topology.spec
            #expect(scenario.topology.name == "gateway")
            #expect(spec.nodes.map(\.name) == ["n1", "n2", "n3", "gw1", "gw2", "ext"])
            #expect(spec.nodes.flatMap(\.ownedPrefixes).map(\.description) == ["198.19.0.0/26", "198.19.0.64/26", "198.19.0.128/26"])
            #expect(spec.pods.count == 15)
            #expect(spec.addressPlan?.pools.first?.nodeMaskLength == 26)
        }

        @Test func snatIsReadWithTheDefaultEgressRule() throws {
            let snat = try #require(try parse("topology: {preset: gateway, gateways: 2}\nsnat:\n  ports: 20000-20999\n",
                                              backends: "[none, iptables-legacy, iptables-nft, nftables, tc-snat]").variants[0].policy.snat)
            #expect(snat == SNATPolicy(mode: .masquerade, ports: PortRange(20000, 20999)!, randomFully: false, egress: [
                EgressRule(sources: [IPv4Prefix("198.18.64.0/24")!, IPv4Prefix("198.18.65.0/24")!],
                           egressIPs: [IPv4Address("198.18.4.1")!, IPv4Address("198.18.5.1")!]),
            ]))
        }

        @Test func egressRulesBecomeEgressRoutesOfTheTopology() throws {
            let scenario = try parse("""
                topology: {preset: gateway, gateways: 2}
                snat:
                  mode: snat
                  ports: 20000-20999
                  random_fully: true
                  egress:
                    - {from: 198.18.65.0/24, via: [198.18.5.1, 198.18.4.1]}
                    - {from: [198.18.64.0/24], via: 198.18.4.1}

                """)
            let snat = try #require(scenario.variants[0].policy.snat)
            #expect(snat.mode == .snat && snat.randomFully)
            #expect(snat.egress.map(\.description) == ["from 198.18.65.0/24 via 198.18.5.1,198.18.4.1", "from 198.18.64.0/24 via 198.18.4.1"])
            let rules = scenario.topology.spec.policyRules
            #expect(rules.map { "\($0.node) \($0.source) \($0.table)" } == ["n1 198.18.65.0/24 100", "n1 198.18.64.0/24 101",
                                                                           "n2 198.18.65.0/24 100", "n2 198.18.64.0/24 101"])
        }

        @Test func randomFullyIsSweepable() throws {
            let scenario = try parse("topology: gateway\nparameters:\n  random: [false, true]\nsnat:\n  random_fully: ${random}\n")
            #expect(scenario.variants.map { $0.policy.snat?.randomFully } == [false, true])
        }

        @Test func portsOutsideTheRange() {
            #expect(errors("topology: gateway\nsnat:\n  ports: 0-100\n") == ["test.yaml:6:10: 'ports' ports must be between 1 and 65535, got 0-100"])
            #expect(errors("topology: gateway\nsnat:\n  ports: 70000\n") == ["test.yaml:6:10: 'ports' must be between 1 and 65535, got 70000"])
        }

        @Test func poolsOutsideTheLabOrOverlappingEachOther() {
            #expect(errors("topology: {preset: gateway, cluster_pool: 10.0.0.0/16}\n")
                == ["test.yaml:4:43: topology gateway: cluster pool prefix 10.0.0.0/16 is outside the allowed range 198.18.0.0/15"])
            #expect(errors("topology: {preset: gateway, cluster_pool: [198.18.64.0/18, 198.18.96.0/19]}\n")
                == ["test.yaml:4:43: topology gateway: cluster pool prefix 198.18.64.0/18 overlaps cluster pool prefix 198.18.96.0/19"])
        }

        @Test func poolsTheTopologyExhausts() {
            #expect(errors("topology: {preset: gateway, nodes: 1, pods_per_node: 300}\n")
                == ["test.yaml:4:54: topology gateway: pod CIDR 198.18.64.0/24 of node n1 is exhausted: 253 of 253 pod addresses allocated"])
            #expect(errors("topology: {preset: gateway, nodes: 3, cluster_pool: 198.18.64.0/23}\n")
                == ["test.yaml:4:36: topology gateway: cluster pool 198.18.64.0/23 with /24 per node is exhausted: 2 of 2 node CIDRs allocated"])
        }

        @Test func parameterRanges() {
            #expect(errors("topology: {preset: gateway, gateways: 3}\n") == ["test.yaml:4:39: 'gateways' must be between 1 and 2, got 3"])
            #expect(errors("topology: {preset: star}\n") == ["test.yaml:4:20: 'preset' must be gateway (the only preset with parameters), got \"star\""])
        }

        @Test func tcSnatNeedsSNAT() {
            #expect(errors("topology: routed\n", backends: "[tc-snat]")
                == ["test.yaml:3:12: backend 'tc-snat' only translates addresses: it needs a top-level 'snat' block"])
        }
    }
}
