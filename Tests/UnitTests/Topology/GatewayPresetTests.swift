import LabIPAM
import LabNetwork
import LabTopology
import Testing

@Suite("Gateway preset")
struct GatewayPresetTests {
    static func plan(nodes: Int = 2, pods: Int = 4, gateways: Int, egressRoutes: [GatewayParameters.EgressRoute] = []) throws -> TopologyPlan {
        let preset = try TopologyPreset.gateway(GatewayParameters(nodes: nodes, podsPerNode: pods, gateways: gateways, egressRoutes: egressRoutes))
        #expect(preset.spec.problems().isEmpty)
        return TopologyPlan(preset: preset, id: "aaaaaa")
    }

    @Test("one gateway: nodes route toward the server via gw1 with their first pod as source; pod CIDRs owned by AnyIP")
    func oneGatewayNode() throws {
        let plan = try Self.plan(gateways: 1)
        #expect(plan.topology.namespaces == ["bl-aaaaaa-n1", "bl-aaaaaa-n2", "bl-aaaaaa-gw1", "bl-aaaaaa-ext"])
        #expect(plan.commands(for: "bl-aaaaaa-n1") == [
            "link set lo up",
            "addr add 198.18.0.1/30 dev blaaaaaan1-0",
            "link set blaaaaaan1-0 up",
            "neigh replace 198.18.0.2 lladdr 02:62:6c:00:00:02 dev blaaaaaan1-0 nud permanent",
            "route add local 198.18.64.0/24 dev lo",
            "route add 198.18.1.0/24 via 198.18.0.2 src 198.18.64.2 metric 100",
            "route add 198.18.4.0/24 via 198.18.0.2 src 198.18.64.2 metric 100",
        ])
        #expect(plan.commands(for: "bl-aaaaaa-n2").suffix(3) == [
            "route add local 198.18.65.0/24 dev lo",
            "route add 198.18.1.0/24 via 198.18.0.6 src 198.18.65.2 metric 100",
            "route add 198.18.4.0/24 via 198.18.0.6 src 198.18.65.2 metric 100",
        ])
        #expect(plan.commands(for: "bl-aaaaaa-gw1").suffix(3) == [
            "route add 198.18.64.0/24 via 198.18.0.1",
            "route add 198.18.65.0/24 via 198.18.0.5",
            "route add 198.18.1.0/24 via 198.18.4.254",
        ])
        #expect(plan.commands(for: "bl-aaaaaa-ext") == [
            "link set lo up",
            "addr add 198.18.4.254/24 dev blaaaaaa-x0",
            "link set blaaaaaa-x0 up",
            "neigh replace 198.18.4.1 lladdr 02:62:6c:00:04:01 dev blaaaaaa-x0 nud permanent",
            "addr add 198.18.1.1/32 dev lo",
            "route add local 198.18.1.0/24 dev lo",
            "route add 198.18.64.0/24 via 198.18.4.1 metric 100",
            "route add 198.18.65.0/24 via 198.18.4.1 metric 100",
            "route add 198.18.0.0/20 via 198.18.4.1 metric 100",
        ])
        let topology = plan.topology
        #expect(topology.policyPoints.map(\.name) == ["policy"])
        #expect(topology.filterPoint == FilterPoint(namespace: "bl-aaaaaa-gw1", ingressInterface: "blaaaaaagw1-0",
                                                    egressInterface: "blaaaaaagw1-2", hook: .forward))
        #expect(topology.egressAddress(of: topology.policyPoints[0]) == IPv4Address("198.18.4.1"))
        #expect(topology.clientAddress == IPv4Address("198.18.64.2"))
        #expect(topology.clientPodCIDRs == [IPv4Prefix("198.18.64.0/24")!])
        #expect(topology.client == "bl-aaaaaa-n1")
        #expect(topology.server == "bl-aaaaaa-ext")
    }

    @Test("two gateways: gw2 backs gw1 with a higher metric, both gateways are policy points, failover sysctls on nodes and ext")
    func twoGateways() throws {
        let plan = try Self.plan(gateways: 2)
        #expect(plan.commands(for: "bl-aaaaaa-n1").suffix(7) == [
            "route add local 198.18.64.0/24 dev lo",
            "route add 198.18.1.0/24 via 198.18.0.2 src 198.18.64.2 metric 100",
            "route add 198.18.1.0/24 via 198.18.0.6 src 198.18.64.2 metric 200",
            "route add 198.18.4.0/24 via 198.18.0.2 src 198.18.64.2 metric 100",
            "route add 198.18.4.0/24 via 198.18.0.6 src 198.18.64.2 metric 200",
            "route add 198.18.5.0/24 via 198.18.0.2 src 198.18.64.2 metric 100",
            "route add 198.18.5.0/24 via 198.18.0.6 src 198.18.64.2 metric 200",
        ])
        #expect(plan.commands(for: "bl-aaaaaa-gw2").suffix(3) == [
            "route add 198.18.64.0/24 via 198.18.0.5",
            "route add 198.18.65.0/24 via 198.18.0.13",
            "route add 198.18.1.0/24 via 198.18.5.254",
        ])
        #expect(plan.commands(for: "bl-aaaaaa-ext").suffix(6) == [
            "route add 198.18.64.0/24 via 198.18.4.1 metric 100",
            "route add 198.18.64.0/24 via 198.18.5.1 metric 200",
            "route add 198.18.65.0/24 via 198.18.4.1 metric 100",
            "route add 198.18.65.0/24 via 198.18.5.1 metric 200",
            "route add 198.18.0.0/20 via 198.18.4.1 metric 100",
            "route add 198.18.0.0/20 via 198.18.5.1 metric 200",
        ])
        let topology = plan.topology
        #expect(topology.policyPoints.map(\.name) == ["policy", "policy-gw2"])
        #expect(topology.policyPoints.map { topology.egressAddress(of: $0) } == [IPv4Address("198.18.4.1"), IPv4Address("198.18.5.1")])
        #expect(topology.policyPoints[1].filterPoint == FilterPoint(namespace: "bl-aaaaaa-gw2", ingressInterface: "blaaaaaagw2-0",
                                                                    egressInterface: "blaaaaaagw2-2", hook: .forward))
        #expect(topology.gateways.map(\.name) == ["gw1", "gw2"])
        #expect(topology.nodeFacingInterfaces(of: "gw1").map(\.name) == ["blaaaaaagw1-0", "blaaaaaagw1-1"])
        #expect(topology.nodeFacingInterfaces(of: "gw1").allSatisfy { $0.namespace == "bl-aaaaaa-gw1" })
        for namespace in ["bl-aaaaaa-n1", "bl-aaaaaa-n2", "bl-aaaaaa-ext"] {
            #expect(plan.sysctls(for: namespace).contains { $0 == ("net.ipv4.conf.all.ignore_routes_with_linkdown", "1") }, "\(namespace)")
        }
        #expect(!plan.sysctls(for: "bl-aaaaaa-gw1").contains { $0.0.hasSuffix("ignore_routes_with_linkdown") })
        #expect(plan.sysctls(for: "bl-aaaaaa-gw1").contains { $0 == ("net.ipv4.ip_forward", "1") })
    }

    @Test("pods: IPAM addresses in plan order, node by node; the address plan records pools, nodes and pods")
    func pods() throws {
        let topology = try Self.plan(pods: 3, gateways: 1).topology
        #expect(topology.podAddresses.map(\.description) == ["198.18.64.2", "198.18.64.3", "198.18.64.4",
                                                             "198.18.65.2", "198.18.65.3", "198.18.65.4"])
        let record = try #require(topology.addressPlan)
        #expect(record.pools.map(\.name) == ["cluster"])
        #expect(record.nodes.map(\.podCIDR) == ["198.18.64.0/24", "198.18.65.0/24"])
        #expect(record.pods.count == 6)
        #expect(record.pods.first.map { [$0.name, $0.address, $0.node] } == ["n1-p1", "198.18.64.2", "n1"])
    }

    @Test("egress routes: sources preferring gw2 get their own table and an ip rule on every node")
    func egressRoutes() throws {
        let plan = try Self.plan(gateways: 2, egressRoutes: [
            .init(sources: [IPv4Prefix("198.18.65.0/24")!], gateways: ["gw2", "gw1"]),
            .init(sources: [IPv4Prefix("198.18.64.0/24")!], gateways: ["gw1", "gw2"]),
        ])
        let lines = plan.commands(for: "bl-aaaaaa-n2")
        #expect(lines.contains("route add 198.18.1.0/24 via 198.18.0.14 src 198.18.65.2 metric 100 table 100"))
        #expect(lines.contains("route add 198.18.1.0/24 via 198.18.0.10 src 198.18.65.2 metric 200 table 100"))
        #expect(lines.last == "rule add from 198.18.65.0/24 lookup 100 priority 1000")
        // The default order needs no table.
        #expect(!lines.contains { $0.contains("198.18.64.0/24 lookup") })
    }

    @Test("IPAM wiring: more pods than a node CIDR holds, more nodes than the pool holds, pools on the infrastructure")
    func exhaustion() {
        #expect(throws: IPAMError.nodeExhausted(node: "n1", podCIDR: IPv4Prefix("198.18.64.0/28")!, allocated: 13, capacity: 13)) {
            try TopologyPreset.gateway(GatewayParameters(nodes: 1, podsPerNode: 14, nodeMaskLength: 28))
        }
        #expect(throws: IPAMError.clusterExhausted(prefixes: [IPv4Prefix("198.18.64.0/23")!], nodeMaskLength: 24, allocated: 2, capacity: 2)) {
            try TopologyPreset.gateway(GatewayParameters(nodes: 3, clusterPool: [IPv4Prefix("198.18.64.0/23")!]))
        }
        #expect(throws: IPAMError.overlap(IPv4Prefix("198.18.0.0/20")!, owner: "lab infrastructure", IPv4Prefix("198.18.8.0/22")!, otherOwner: "cluster pool")) {
            try TopologyPreset.gateway(GatewayParameters(clusterPool: [IPv4Prefix("198.18.8.0/22")!]))
        }
        #expect(throws: IPAMError.outsideAllowedRange(IPv4Prefix("10.0.0.0/16")!, owner: "cluster pool", allowed: AddressPlan.lab)) {
            try TopologyPreset.gateway(GatewayParameters(clusterPool: [IPv4Prefix("10.0.0.0/16")!]))
        }
    }

    @Test("stated routes must leave through a link; pods must sit in a prefix their node owns; rules and sysctls name nodes")
    func statedRoutingProblems() {
        var spec = TopologyPreset.routed.spec
        spec.routes = [.init(node: "cli", destination: IPv4Prefix("198.18.1.0/24")!, via: "srv")]
        spec.pods = [.init(name: "p1", node: "cli", address: IPv4Address("198.18.64.2")!)]
        spec.policyRules = [.init(node: "nope", source: IPv4Prefix("198.18.64.0/24")!, table: 100, priority: 1000)]
        spec.sysctls = [.init(node: "gone", key: "net.ipv4.ip_forward", value: "1")]
        #expect(spec.problems().map(\.message) == [
            "route to 198.18.1.0/24 on 'cli' via 'srv': the two are not linked",
            "rule from 198.18.64.0/24 names unknown node 'nope'",
            "sysctl net.ipv4.ip_forward names unknown node 'gone'",
            "pod p1's address 198.18.64.2 is not in a prefix node 'cli' owns",
        ])
    }

    @Test("pair and routed keep their client: it owns the whole client pool")
    func presetsUnchanged() {
        #expect(TopologyPresets.names == ["pair", "routed", "gateway"])
        #expect(TopologyPlan(preset: .routed, id: "aaaaaa").topology.clientAddress == AddressPlan.client)
        #expect(TopologyPlan(preset: .routed, id: "aaaaaa").topology.policyPoints.map(\.name) == ["policy"])
        #expect(TopologyPlan(preset: .pair, id: "aaaaaa").topology.clientPodCIDRs.isEmpty)
    }
}
