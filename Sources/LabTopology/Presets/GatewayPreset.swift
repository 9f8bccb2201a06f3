import LabIPAM
import LabNetwork

/// What the `gateway` preset is made of: it is a function of these, not one fixed spec.
public struct GatewayParameters: Sendable, Equatable {
    /// Sources that leave through other gateways than the default order (gw1, then gw2): egress
    /// policy as routing data. The topology does not know the SNAT policy; the scenario reader turns
    /// the policy's egress rules into these.
    public struct EgressRoute: Sendable, Equatable {
        public var sources: [IPv4Prefix]
        /// Gateway node names, preferred first.
        public var gateways: [String]

        public init(sources: [IPv4Prefix], gateways: [String]) {
            self.sources = sources
            self.gateways = gateways
        }
    }

    public static let nodeRange = 1...13
    public static let podsPerNodeRange = 1...65_533
    public static let gatewayRange = 1...2
    public static let defaultClusterPool = [IPv4Prefix("198.18.64.0/18")!]

    public var nodes: Int
    public var podsPerNode: Int
    public var gateways: Int
    public var clusterPool: [IPv4Prefix]
    public var nodeMaskLength: UInt8
    public var egressRoutes: [EgressRoute]

    public init(nodes: Int = 2, podsPerNode: Int = 32, gateways: Int = 1, clusterPool: [IPv4Prefix] = GatewayParameters.defaultClusterPool,
                nodeMaskLength: UInt8 = 24, egressRoutes: [EgressRoute] = []) {
        self.nodes = nodes
        self.podsPerNode = podsPerNode
        self.gateways = gateways
        self.clusterPool = clusterPool
        self.nodeMaskLength = nodeMaskLength
        self.egressRoutes = egressRoutes
    }

    public var nodeNames: [String] { (1...max(nodes, 1)).map { "n\($0)" } }
    public var gatewayNames: [String] { (1...max(gateways, 1)).map { "gw\($0)" } }

    /// Gateway k's (1-based) external link: gateway .1, server .254 of 198.18.(3+k).0/24, inside the
    /// infrastructure range. The gateway's end is its egress IP.
    public static func externalLink(gateway k: Int) -> (gateway: InterfaceAddress, server: InterfaceAddress) {
        let base = AddressPlan.infrastructure.first.value + UInt32(3 + k) << 8
        return (InterfaceAddress(address: IPv4Address(base + 1), length: 24), InterfaceAddress(address: IPv4Address(base + 254), length: 24))
    }
}

extension TopologyPreset {
    /// `gateway` with its default parameters: what `topology: gateway` means.
    public static let gateway = try! TopologyPreset.gateway(GatewayParameters())

    /// Worker nodes n1…nM, each owning a pod CIDR, linked to gateway gw1 (and gw2, for failover), each
    /// gateway linked to the external server `ext`:
    ///
    ///     n1 ─┬─ gw1 ── ext        node ↔ gateway: auto /30s of 198.18.0.0/20 (n1 ↔ gw1 first: n1 is 198.18.0.1)
    ///     n2 ─┘  gw2 ──┘           gw k ↔ ext: 198.18.(3+k).1/24 ↔ .254/24; gw k's end is its egress IP
    ///
    /// **Pods are addresses, not namespaces.** Each node's pod CIDR is carved from the cluster pool by
    /// `LabIPAM.ClusterPool` (one /nodeMaskLength per node) and owned by the node by AnyIP (`route add
    /// local <podCIDR> dev lo`), as the client owns the client pool in `pair` and `routed`; each pod is
    /// an address handed out from it. A namespace per pod would cap the lab at 16 pods
    /// (`TopologySpec.maximumNodes`), and the exhaustion scenario needs hundreds of sources. The client
    /// role is n1 (workloads run there); every node's routes toward the server carry `src <its first
    /// pod>`, so unbound sockets leave with a pod address.
    ///
    /// **Routing is stated, not derived** (gw1 and gw2 are equally far from every node):
    /// - nodes route the service range and the gateways' external subnets via gw1 (metric 100) and
    ///   gw2 (metric 200);
    /// - each gateway routes every node's pod CIDR via that node, and the service range via ext;
    /// - ext routes every pod CIDR (and 198.18.0.0/20, for the nodes' link addresses) via gw1 (100), then
    ///   gw2 (200), so `none` (routing without SNAT) works;
    /// - `egressRoutes` whose gateway order differs from gw1, gw2 get a routing table each on every
    ///   node and an `ip rule from <source> lookup <table>`.
    ///
    /// **Failover is the kernel's own:** nodes and ext set `ignore_routes_with_linkdown`, so when a
    /// gateway's end of a link goes down (its veth peer loses carrier), the route through it is
    /// skipped and the higher-metric route through the other gateway carries the traffic. No controller.
    ///
    /// Attachment points: `policy` at gw1 (ingress facing n1, FORWARD, egress = the external link) and
    /// `policy-gw2` at gw2: a policy is installed at every gateway (`Topology.policyPoints`).
    public static func gateway(_ parameters: GatewayParameters) throws(IPAMError) -> TopologyPreset {
        // Interface names: bl<id> + "n1-" / "gw1-" / "-x" + link index (bl<id>n1-0, bl<id>gw1-2, bl<id>-x0).
        let nodeNames = parameters.nodeNames
        let gatewayNames = parameters.gatewayNames
        let server = "ext"

        var pool = try ClusterPool(prefixes: parameters.clusterPool, nodeMaskLength: parameters.nodeMaskLength, allowed: AddressPlan.lab)
        try PrefixValidation.disjoint(parameters.clusterPool.map { OwnedPrefix(owner: "cluster pool", prefix: $0) }
                                      + [OwnedPrefix(owner: "lab infrastructure", prefix: AddressPlan.infrastructure)])
        var podCIDRs: [IPv4Prefix] = []
        var pods: [TopologySpec.Pod] = []
        for node in nodeNames {
            podCIDRs.append(try pool.allocateNode(node).prefix)
            for index in 1...max(parameters.podsPerNode, 1) {
                let name = "\(node)-p\(index)"
                pods.append(TopologySpec.Pod(name: name, node: node, address: try pool.allocatePod(name, node: node)))
            }
        }
        let externalSubnets = gatewayNames.indices.map { GatewayParameters.externalLink(gateway: $0 + 1).gateway.subnet }
        func metric(_ rank: Int) -> Int { 100 * (rank + 1) }

        var nodes = zip(nodeNames, podCIDRs).enumerated().map { index, entry in
            TopologySpec.Node(name: entry.0, role: index == 0 ? .client : .node, interfaceStem: entry.0 + "-", ownedPrefixes: [entry.1])
        }
        nodes += gatewayNames.map { TopologySpec.Node(name: $0, role: .gateway, interfaceStem: $0 + "-") }
        nodes.append(TopologySpec.Node(name: server, role: .server, interfaceStem: "-x"))

        var links = nodeNames.flatMap { node in gatewayNames.map { TopologySpec.Link(node, $0) } }
        links += gatewayNames.indices.map { index in
            let ends = GatewayParameters.externalLink(gateway: index + 1)
            return TopologySpec.Link(gatewayNames[index], server, aAddress: ends.gateway, bAddress: ends.server)
        }

        var spec = TopologySpec(nodes: nodes, links: links, attachments: gatewayNames.enumerated().map { index, gateway in
            .init(name: index == 0 ? TopologySpec.policyAttachment : "\(TopologySpec.policyAttachment)-\(gateway)",
                  node: gateway, facing: nodeNames[0])
        })
        spec.routing = .explicit
        spec.pods = pods
        spec.addressPlan = AddressPlanRecord(cluster: pool)
        let towardServer = [AddressPlan.serviceRange] + externalSubnets
        for node in nodeNames {
            let source = pods.first { $0.node == node }?.address
            for destination in towardServer {
                for (rank, gateway) in gatewayNames.enumerated() {
                    spec.routes.append(.init(node: node, destination: destination, via: gateway, metric: metric(rank), source: source))
                }
            }
            let custom = parameters.egressRoutes.enumerated().filter { $0.element.gateways != gatewayNames }
            for (index, route) in custom {
                let table = 100 + index
                for destination in towardServer {
                    for (rank, gateway) in route.gateways.enumerated() where gatewayNames.contains(gateway) {
                        spec.routes.append(.init(node: node, destination: destination, via: gateway, metric: metric(rank),
                                                 source: source, table: table))
                    }
                }
                for prefix in route.sources {
                    spec.policyRules.append(.init(node: node, source: prefix, table: table, priority: 1000 + index))
                }
            }
        }
        for gateway in gatewayNames {
            for (node, cidr) in zip(nodeNames, podCIDRs) { spec.routes.append(.init(node: gateway, destination: cidr, via: node)) }
            spec.routes.append(.init(node: gateway, destination: AddressPlan.serviceRange, via: server))
        }
        // The infrastructure range too, so the nodes' link addresses (n1's is AddressPlan.client, the
        // probes' source) get answers; the server's connected /24s and service range are more specific.
        for cidr in podCIDRs + [AddressPlan.infrastructure] {
            for (rank, gateway) in gatewayNames.enumerated() {
                spec.routes.append(.init(node: server, destination: cidr, via: gateway, metric: metric(rank)))
            }
        }
        for node in nodeNames + [server] {
            for scope in ["all", "default"] {
                spec.sysctls.append(.init(node: node, key: "net.ipv4.conf.\(scope).ignore_routes_with_linkdown", value: "1"))
            }
        }
        return TopologyPreset(name: "gateway", spec: spec)
    }
}
