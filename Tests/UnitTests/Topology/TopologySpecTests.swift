import LabNetwork
import LabTopology
import Testing

/// The 4-node gateway chain of the README's "Custom topologies" example.
let chainSpec = TopologySpec(
    nodes: [.init(name: "client", role: .client), .init(name: "r1", role: .router),
            .init(name: "r2", role: .router), .init(name: "server", role: .server)],
    links: [.init("client", "r1"), .init("r1", "r2"),
            .init("r2", "server", aAddress: InterfaceAddress("198.18.0.9/30"), bAddress: InterfaceAddress("198.18.0.10/30"))],
    attachments: [.init(name: "policy", node: "r1", facing: "client"),
                  .init(name: "mirror", node: "r2", facing: "server", direction: .egress)])

@Suite("Topology presets")
struct TopologyPresetTests {
    @Test("the registry lists pair then routed, finds them by name, and every preset is a valid spec")
    func registry() {
        #expect(TopologyPresets.names == ["pair", "routed", "gateway"])
        #expect(TopologyPresets.named("routed") == .routed)
        #expect(TopologyPresets.named("star") == nil)
        for preset in TopologyPresets.all { #expect(preset.spec.problems().isEmpty, "\(preset.name)") }
    }

    @Test("a scenario's topology records the preset's name, or custom")
    func sourceNames() {
        #expect(TopologySource.preset(.pair).name == "pair")
        #expect(TopologySource.custom(chainSpec).name == "custom")
    }
}

@Suite("Topology spec")
struct TopologySpecTests {
    @Test("a chain: names from the nodes, /30s allocated around the given subnet, MACs spelling the addresses")
    func chainNamesAndAddresses() {
        let topology = TopologyPlan(spec: chainSpec, name: "custom", id: "aaaaaa").topology
        #expect(topology.namespaces == ["bl-aaaaaa-client", "bl-aaaaaa-r1", "bl-aaaaaa-r2", "bl-aaaaaa-server"])
        #expect(topology.interfaces.map(\.name) == ["blaaaaaaclient0", "blaaaaaar10", "blaaaaaar11", "blaaaaaar20",
                                                    "blaaaaaar21", "blaaaaaaserver0"])
        #expect(topology.interfaces.map(\.address) == ["198.18.0.1/30", "198.18.0.2/30", "198.18.0.5/30", "198.18.0.6/30",
                                                       "198.18.0.9/30", "198.18.0.10/30"])
        #expect(topology.interfaces.last?.mac == "02:62:6c:00:00:0a")
        #expect(topology.clientInterface.name == "blaaaaaaclient0")
        #expect(topology.clientGateway.name == "blaaaaaar10")
        #expect(topology.serverInterface.name == "blaaaaaaserver0")
        #expect(topology.client == "bl-aaaaaa-client" && topology.server == "bl-aaaaaa-server")
        #expect(topology.nodes(role: .router).map(\.name) == ["r1", "r2"])
        #expect(topology.node(named: "r2")?.namespace == "bl-aaaaaa-r2")
    }

    @Test("a chain: the policy sits on r1 facing the client, in FORWARD; other points keep their direction")
    func chainAttachmentPoints() {
        let topology = TopologyPlan(spec: chainSpec, name: "custom", id: "aaaaaa").topology
        #expect(topology.filterPoint == FilterPoint(namespace: "bl-aaaaaa-r1", ingressInterface: "blaaaaaar10",
                                                    egressInterface: "blaaaaaar11", hook: .forward))
        let mirror = topology.attachmentPoint(named: "mirror")
        #expect(mirror?.interface == "blaaaaaar21")
        #expect(mirror?.direction == .egress)
        #expect(topology.attachmentPoints.map(\.name) == ["policy", "mirror"])
    }

    @Test("without a policy point, the policy goes to the first hop after the client")
    func defaultPolicyPoint() {
        var spec = chainSpec
        spec.attachments = []
        let point = TopologyPlan(spec: spec, name: "custom", id: "aaaaaa").topology.filterPoint
        #expect(point == FilterPoint(namespace: "bl-aaaaaa-r1", ingressInterface: "blaaaaaar10", egressInterface: "blaaaaaar11", hook: .forward))
    }

    @Test("a chain: routers get one route per destination via their shortest-path next hop; ends get one lab route")
    func chainRoutes() {
        let plan = TopologyPlan(spec: chainSpec, name: "custom", id: "aaaaaa")
        let pool = ["198.18.16.0/20", "198.18.32.0/19", "198.18.64.0/18", "198.18.128.0/17", "198.19.0.0/16"]
        #expect(routes(plan, "bl-aaaaaa-r1") == ["route add 198.18.0.8/30 via 198.18.0.6", "route add 198.18.1.0/24 via 198.18.0.6"]
                + pool.map { "route add \($0) via 198.18.0.1" })
        #expect(routes(plan, "bl-aaaaaa-r2") == ["route add 198.18.0.0/30 via 198.18.0.5", "route add 198.18.1.0/24 via 198.18.0.10"]
                + pool.map { "route add \($0) via 198.18.0.5" })
        #expect(routes(plan, "bl-aaaaaa-client") == ["route add 198.18.0.0/15 via 198.18.0.2"] + pool.map { "route add local \($0) dev lo" })
        #expect(routes(plan, "bl-aaaaaa-server") == ["route add local 198.18.1.0/24 dev lo", "route add 198.18.0.0/15 via 198.18.0.9"])
        #expect(plan.commands(for: "bl-aaaaaa-r2").contains("neigh replace 198.18.0.10 lladdr 02:62:6c:00:00:0a dev blaaaaaar21 nud permanent"))
    }

    @Test("nodes with several links forward; the ends do not")
    func forwarding() {
        let plan = TopologyPlan(spec: chainSpec, name: "custom", id: "aaaaaa")
        for (namespace, forwards) in [("bl-aaaaaa-client", false), ("bl-aaaaaa-r1", true), ("bl-aaaaaa-r2", true), ("bl-aaaaaa-server", false)] {
            #expect(plan.sysctls(for: namespace).contains { $0 == ("net.ipv4.ip_forward", "1") } == forwards, "\(namespace)")
        }
    }

    @Test("a branching topology with a cycle routes only inside 198.18.0.0/15 and the client reaches the server by the short side")
    func cycleStaysInsideTheLab() {
        let spec = TopologySpec(
            nodes: [.init(name: "c", role: .client), .init(name: "g1", role: .gateway), .init(name: "g2", role: .gateway),
                    .init(name: "g3", role: .gateway), .init(name: "s", role: .server), .init(name: "p1", role: "pod")],
            links: [.init("c", "g1"), .init("g1", "g2"), .init("g2", "s"), .init("g1", "g3"), .init("g3", "g2"), .init("g2", "p1")])
        #expect(spec.problems().isEmpty)
        let plan = TopologyPlan(spec: spec, name: "custom", id: "aaaaaa")
        for namespace in plan.topology.namespaces {
            for line in plan.commands(for: namespace) where line.hasPrefix("route add") {
                let target = line.split(separator: " ")[line.hasPrefix("route add local") ? 3 : 2]
                #expect(IPv4Prefix(target).map { AddressPlan.lab.contains($0) } == true, "\(namespace): \(line)")
            }
        }
        // g1 reaches the service range over its direct link to g2 (198.18.0.4/30), not around through g3.
        #expect(plan.commands(for: "bl-aaaaaa-g1").contains("route add 198.18.1.0/24 via 198.18.0.6"))
        // g3 reaches the pod's link through g2.
        #expect(plan.commands(for: "bl-aaaaaa-g3").contains("route add 198.18.0.20/30 via 198.18.0.18"))
    }

    private func routes(_ plan: TopologyPlan, _ namespace: String) -> [String] {
        plan.commands(for: namespace).filter { $0.hasPrefix("route add") }
    }
}

extension NodeRole {
    static let gateway: NodeRole = "gateway"
}

@Suite("Topology spec problems")
struct TopologySpecProblemTests {
    private func problems(_ spec: TopologySpec) -> [String] { spec.problems().map(\.message) }

    private func chain(nodes: [TopologySpec.Node]? = nil, links: [TopologySpec.Link]? = nil,
                       attachments: [TopologySpec.Attachment]? = nil) -> TopologySpec {
        TopologySpec(nodes: nodes ?? chainSpec.nodes, links: links ?? chainSpec.links, attachments: attachments ?? chainSpec.attachments)
    }

    @Test("the chain has none")
    func valid() { #expect(problems(chainSpec) == []) }

    @Test("exactly one client and one server")
    func roles() {
        let nodes: [TopologySpec.Node] = [.init(name: "a", role: .router), .init(name: "b", role: .router)]
        #expect(problems(TopologySpec(nodes: nodes, links: [.init("a", "b")])) == [
            "no node has role client: a topology needs exactly one client and one server",
            "no node has role server: a topology needs exactly one client and one server",
        ])
        let twoClients = chain(nodes: chainSpec.nodes + [.init(name: "c2", role: .client)], links: chainSpec.links + [.init("c2", "r1")])
        #expect(problems(twoClients) == ["node 'c2' is a second client (the first is 'client'): a topology has exactly one"])
    }

    @Test("node names: unique, lowercase letters and digits, short enough for interface names")
    func names() {
        #expect(problems(chain(nodes: chainSpec.nodes + [.init(name: "r1", role: .router)])).first == "node 'r1' is declared twice")
        #expect(problems(chain(nodes: chainSpec.nodes + [.init(name: "R-3", role: .router)])).first
                == "node name 'R-3' must be lowercase letters and digits, starting with a letter")
        let long = TopologySpec(nodes: [.init(name: "client", role: .client), .init(name: "gateway1", role: .server)],
                                links: [.init("client", "gateway1")])
        #expect(problems(long) == ["node name 'gateway1' is too long for its interface names (bl<id>gateway10 would exceed 15 characters): use at most 6 characters"])
    }

    @Test("at most 16 nodes")
    func tooMany() {
        let nodes = [TopologySpec.Node(name: "c", role: .client)] + (1...16).map { TopologySpec.Node(name: "n\($0)", role: .server) }
        #expect(problems(TopologySpec(nodes: nodes, links: [])).first == "a topology has at most 16 nodes, this one has 17")
    }

    @Test("links: known nodes, not to itself, not twice")
    func links() {
        #expect(problems(chain(links: chainSpec.links + [.init("r1", "r3")])) == ["unknown node 'r3' (nodes: client, r1, r2, server)"])
        #expect(problems(chain(links: chainSpec.links + [.init("r2", "r2")])) == ["a link from 'r2' to itself"])
        #expect(problems(chain(links: chainSpec.links + [.init("r2", "r1")])) == ["'r2' and 'r1' are already linked (link 2)"])
    }

    @Test("link addresses: both or neither, inside the infrastructure range, off the service range, one subnet, no overlap")
    func addresses() {
        func link(_ a: String?, _ b: String?) -> TopologySpec {
            chain(links: [.init("client", "r1"), .init("r1", "r2"),
                          .init("r2", "server", aAddress: a.flatMap(InterfaceAddress.init), bAddress: b.flatMap(InterfaceAddress.init))])
        }
        #expect(problems(link("198.18.0.9/30", nil)) == ["give addresses for both ends of a link, or for neither"])
        #expect(problems(link("198.18.16.1/30", "198.18.16.2/30")) == [
            "198.18.16.1/30 is outside the infrastructure range 198.18.0.0/20 (the rest of 198.18.0.0/15 is the client pool)",
            "198.18.16.2/30 is outside the infrastructure range 198.18.0.0/20 (the rest of 198.18.0.0/15 is the client pool)",
        ])
        #expect(problems(link("198.18.1.1/30", "198.18.1.2/30")).first == "198.18.1.1/30 overlaps the service range 198.18.1.0/24")
        #expect(problems(link("198.18.0.8/30", "198.18.0.9/30")) == ["198.18.0.8/30 is not a host address of 198.18.0.8/30"])
        #expect(problems(link("198.18.0.9/30", "198.18.0.13/30")) == ["198.18.0.13/30 is not in the same subnet as the other end's 198.18.0.9/30"])
        let overlapping = chain(links: [.init("client", "r1", aAddress: InterfaceAddress("198.18.2.1/24"), bAddress: InterfaceAddress("198.18.2.2/24")),
                                        .init("r1", "r2"),
                                        .init("r2", "server", aAddress: InterfaceAddress("198.18.2.9/30"), bAddress: InterfaceAddress("198.18.2.10/30"))])
        #expect(problems(overlapping) == ["subnet 198.18.2.8/30 overlaps 198.18.2.0/24 of link 1"])
    }

    @Test("the client's address toward the server is 198.18.0.1, the address probes and workloads use")
    func clientAddress() {
        let reordered = chain(links: [chainSpec.links[1], chainSpec.links[0], chainSpec.links[2]])
        #expect(problems(reordered) == ["the client's address toward the server must be 198.18.0.1 (probes and workloads use it), got 198.18.0.5/30: list the client's link first with the client as 'a', or give it 198.18.0.1/30"])
        let given = chain(links: [chainSpec.links[1],
                                  .init("client", "r1", aAddress: InterfaceAddress("198.18.0.1/29"), bAddress: InterfaceAddress("198.18.0.3/29")),
                                  .init("r2", "server")])
        #expect(problems(given) == [])
        let topology = TopologyPlan(spec: given, name: "custom", id: "aaaaaa").topology
        #expect(topology.clientGateway.address == "198.18.0.3/29")
        #expect(topology.clientGateway.mac == "02:62:6c:00:00:03")
        #expect(topology.clientAddress == AddressPlan.client)
    }

    @Test("every node must be reachable from the client")
    func disconnected() {
        let spec = chain(nodes: chainSpec.nodes + [.init(name: "lost", role: "pod")])
        #expect(problems(spec) == ["the topology is not connected: no path from the client to 'lost'"])
    }

    @Test("attachment points: known, adjacent nodes; policy ingress on the client → server path")
    func attachments() {
        #expect(problems(chain(attachments: [.init(name: "policy", node: "r9", facing: "client")]))
                == ["attachment point 'policy': unknown node 'r9'"])
        #expect(problems(chain(attachments: [.init(name: "policy", node: "r2", facing: "client")]))
                == ["attachment point 'policy': 'r2' has no link to 'client'"])
        #expect(problems(chain(attachments: [.init(name: "policy", node: "r1", facing: "r2")]))
                == ["attachment point 'policy' at 'r1' facing 'r2' is not on the client → server path (client → r1 → r2 → server), so it would never see the traffic"])
        #expect(problems(chain(attachments: [.init(name: "policy", node: "r1", facing: "client", direction: .egress)]))
                == ["attachment point 'policy' must be ingress: backends filter what arrives on an interface"])
        #expect(problems(chain(attachments: [.init(name: "tap", node: "r1", facing: "client"), .init(name: "tap", node: "r2", facing: "r1")]))
                == ["attachment point 'tap' is declared twice"])
    }
}
