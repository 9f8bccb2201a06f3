import LabTopology
import Testing
@testable import LabScenario

extension ScenarioTests {
    /// `topology:` as a mapping that declares a custom topology, and every way to get it wrong.
    @Suite("Custom topologies")
    struct CustomTopologies {
        static let chain = """
            topology:
              nodes:
                - {name: client, role: client}
                - {name: r1, role: router}
                - {name: r2, role: router}
                - {name: server, role: server}
              links:
                - {a: client, b: r1}
                - {a: r1, b: r2}
                - {a: r2, b: server, a_address: 198.18.0.9/30, b_address: 198.18.0.10/30}
              attach: {policy: {node: r1, from: client}, mirror: {node: r2, to: server}}
            workloads: [{type: connect}]

            """

        /// The chain with `old` replaced by `new` (each must occur).
        static func chain(_ old: String, _ new: String) -> String {
            precondition(chain.contains(old), old)
            return scenarioText(chain.replacingOccurrences(of: old, with: new))
        }

        @Test func theChainParsesIntoASpec() throws {
            let scenario = try ScenarioParser.parse(text: scenarioText(Self.chain), path: "test.yaml")
            let expected = TopologySpec(
                nodes: [.init(name: "client", role: .client), .init(name: "r1", role: .router),
                        .init(name: "r2", role: .router), .init(name: "server", role: .server)],
                links: [.init("client", "r1"), .init("r1", "r2"),
                        .init("r2", "server", aAddress: InterfaceAddress("198.18.0.9/30"), bAddress: InterfaceAddress("198.18.0.10/30"))],
                attachments: [.init(name: "policy", node: "r1", facing: "client", direction: .ingress),
                              .init(name: "mirror", node: "r2", facing: "server", direction: .egress)])
            #expect(scenario.topology == .custom(expected))
            #expect(scenario.topology.name == "custom")
        }

        @Test func aPresetNameStillWorks() throws {
            let scenario = try ScenarioParser.parse(text: scenarioText("topology: pair\nworkloads: [{type: connect}]\n"), path: "test.yaml")
            #expect(scenario.topology == .preset(.pair))
        }

        @Test func neitherANameNorAMapping() {
            #expect(diagnostics(of: scenarioText("topology: [pair]\nworkloads: [{type: connect}]\n")) == [
                "test.yaml:4:11: 'topology' must be one of pair, routed, gateway or a mapping that declares a custom topology, got a list",
            ])
        }

        @Test func unknownKeysAreSuggested() {
            #expect(diagnostics(of: Self.chain("  links:", "  linkz:")) == [
                "test.yaml:5:3: missing required key 'links' in 'topology'",
                "test.yaml:10:3: unknown key 'linkz' (did you mean 'links'?)",
            ])
            #expect(diagnostics(of: Self.chain("{name: r2, role: router}", "{name: r2, rol: router}")) == [
                "test.yaml:8:7: missing required key 'role' in node",
                "test.yaml:8:18: unknown key 'rol' (did you mean 'role'?)",
            ])
            #expect(diagnostics(of: Self.chain("a_address: 198.18.0.9/30", "a_adress: 198.18.0.9/30")) == [
                "test.yaml:13:7: give addresses for both ends of a link, or for neither",
                "test.yaml:13:26: unknown key 'a_adress' (did you mean 'a_address'?)",
            ])
            #expect(diagnostics(of: Self.chain("{node: r1, from: client}", "{node: r1, form: client}")) == [
                "test.yaml:14:20: attachment point 'policy' needs exactly one of 'from' (ingress) or 'to' (egress)",
                "test.yaml:14:31: unknown key 'form' (did you mean 'from'?)",
            ])
        }

        @Test func duplicateNodeNames() {
            #expect(diagnostics(of: Self.chain("{name: r2, role: router}", "{name: r1, role: router}")).first
                    == "test.yaml:8:14: node 'r1' is declared twice")
        }

        @Test func unknownNodeInALinkOrAnAttachment() {
            #expect(diagnostics(of: Self.chain("{a: r1, b: r2}", "{a: r1, b: r3}")) == [
                "test.yaml:12:18: unknown node 'r3' (nodes: client, r1, r2, server)",
            ])
            #expect(diagnostics(of: Self.chain("{node: r1, from: client}", "{node: r1, from: clinet}")) == [
                "test.yaml:14:20: attachment point 'policy': unknown node 'clinet'",
            ])
        }

        @Test func missingClientOrServer() {
            #expect(diagnostics(of: Self.chain("{name: server, role: server}", "{name: server, role: backend}")) == [
                "test.yaml:5:3: no node has role server: a topology needs exactly one client and one server",
            ])
        }

        @Test func aLinkToItself() {
            #expect(diagnostics(of: Self.chain("{a: r1, b: r2}", "{a: r1, b: r1}")).contains("test.yaml:12:7: a link from 'r1' to itself"))
        }

        @Test func addressesOutsideTheInfrastructureRangeOrOverlapping() {
            #expect(diagnostics(of: Self.chain("198.18.0.10/30", "198.19.0.10/30")) == [
                "test.yaml:13:63: 198.19.0.10/30 is outside the infrastructure range 198.18.0.0/20 (the rest of 198.18.0.0/15 is the client pool)",
            ])
            #expect(diagnostics(of: Self.chain("{a: r1, b: r2}", "{a: r1, b: r2, a_address: 198.18.0.9/29, b_address: 198.18.0.10/29}")) == [
                "test.yaml:13:7: subnet 198.18.0.8/30 overlaps 198.18.0.8/29 of link 2",
            ])
            #expect(diagnostics(of: Self.chain("a_address: 198.18.0.9/30", "a_address: 198.18.0.9")) == [
                "test.yaml:13:37: 'a_address' must be an address with a prefix length such as 198.18.0.9/30, got \"198.18.0.9\"",
            ])
        }

        @Test func theClientMustHaveTheClientAddress() {
            #expect(diagnostics(of: Self.chain("{a: client, b: r1}", "{a: r1, b: client}")) == [
                "test.yaml:6:14: the client's address toward the server must be 198.18.0.1 (probes and workloads use it), got 198.18.0.2/30: list the client's link first with the client as 'a', or give it 198.18.0.1/30",
            ])
        }

        @Test func aDisconnectedGraph() {
            #expect(diagnostics(of: Self.chain("    - {a: r1, b: r2}\n", "")) == [
                "test.yaml:5:3: the topology is not connected: no path from the client to 'r2', 'server'",
            ])
        }

        @Test func tooManyNodes() {
            let extra = (1...13).map { "    - {name: p\($0), role: pod}\n" }.joined()
            let links = (1...13).map { "    - {a: r2, b: p\($0)}\n" }.joined()
            let text = Self.chain("    - {name: server, role: server}\n", "    - {name: server, role: server}\n" + extra)
                .replacingOccurrences(of: "  attach:", with: links + "  attach:")
            #expect(diagnostics(of: text).first == "test.yaml:5:3: a topology has at most 16 nodes, this one has 17")
        }

        @Test func namesThatDoNotFitInterfaceNames() {
            #expect(diagnostics(of: Self.chain("{name: r2, role: router}", "{name: gateway2, role: router}")
                .replacingOccurrences(of: "b: r2}", with: "b: gateway2}").replacingOccurrences(of: "{a: r2,", with: "{a: gateway2,")
                .replacingOccurrences(of: "node: r2,", with: "node: gateway2,")) == [
                "test.yaml:8:14: node name 'gateway2' is too long for its interface names (bl<id>gateway21 would exceed 15 characters): use at most 6 characters",
            ])
        }

        @Test func placeholdersAreNotAllowedInTheTopology() {
            let text = Self.chain("{name: r2, role: router}", "{name: r2, role: \"${role}\"}")
                .replacingOccurrences(of: "workloads:", with: "parameters: {role: [router]}\nworkloads:")
            #expect(diagnostics(of: text).contains(
                "test.yaml:8:24: '${role}' is not allowed here: parameters can only be used in values under 'policy' and 'workloads'"))
        }

        @Test func thePolicyPointMustBeOnThePathAndIngress() {
            #expect(diagnostics(of: Self.chain("{node: r1, from: client}", "{node: r1, from: r2}")) == [
                "test.yaml:14:20: attachment point 'policy' at 'r1' facing 'r2' is not on the client → server path (client → r1 → r2 → server), so it would never see the traffic",
            ])
            #expect(diagnostics(of: Self.chain("{node: r1, from: client}", "{node: r1, to: r2}")) == [
                "test.yaml:14:20: attachment point 'policy' must be ingress: backends filter what arrives on an interface",
            ])
        }
    }
}
