import Foundation
import LabNetwork

/// Everything about a topology that can be decided without touching the kernel: names, MACs,
/// addresses, routes, static neighbours and sysctls, all derived from a `TopologySpec`. Pure, so it
/// is unit-tested.
///
/// Routing: a node with one link sends everything in 198.18.0.0/15 to its neighbour; a node with
/// several gets one route per destination it does not own — each link subnet it is not on, the
/// service range, the client pool — via its next hop on a shortest path (`TopologyGraph`). Nothing is
/// ever routed outside 198.18.0.0/15 (no default route), and nodes with several links forward.
public struct TopologyPlan: Sendable {
    public struct Link: Sendable {
        public var kind: TopologySpec.LinkKind
        public var a: LabInterface
        public var b: LabInterface
    }

    public let spec: TopologySpec
    public let topology: Topology
    public let links: [Link]
    private let routes: [[String]]

    public init(preset: TopologyPreset, id: String) {
        self.init(spec: preset.spec, name: preset.name, id: id)
    }

    public init(source: TopologySource, id: String) {
        self.init(spec: source.spec, name: source.name, id: id)
    }

    /// `spec` must have no `problems()` (presets are checked by tests, scenario files by the reader).
    public init(spec: TopologySpec, name: String, id: String) {
        precondition(spec.problems().isEmpty, "topology \(name) is invalid: \(spec.problems())")
        self.spec = spec
        let graph = TopologyGraph(spec)
        let nodes = spec.nodes.map { TopologyNode(name: $0.name, role: $0.role, namespace: LabNames.namespace(id, node: $0.name)) }
        let addresses = LinkAddressing.resolve(spec.links).ends.map { $0! }
        var nextIndex = [Int](repeating: 0, count: nodes.count)
        func interface(_ node: Int, _ address: InterfaceAddress) -> LabInterface {
            defer { nextIndex[node] += 1 }
            let value = address.address.value
            // The MAC spells the address (02:62:6c = locally administered "bl"), so it is unique and
            // readable in a capture: 198.18.0.6 is 02:62:6c:00:00:06.
            let mac = String(format: "02:62:6c:%02x:%02x:%02x", (value >> 16) & 0x01, (value >> 8) & 0xff, value & 0xff)
            return LabInterface(name: LabNames.interface(id, stem: spec.nodes[node].interfaceStem, index: nextIndex[node]),
                                namespace: nodes[node].namespace, mac: mac, address: "\(address)", node: spec.nodes[node].name)
        }
        let links = zip(spec.links, addresses).map { link, ends in
            Link(kind: link.kind, a: interface(spec.nodeIndex(link.a)!, ends.a), b: interface(spec.nodeIndex(link.b)!, ends.b))
        }
        let client = spec.nodes.firstIndex { $0.role == .client }!
        let server = spec.nodes.firstIndex { $0.role == .server }!
        let towardServer = graph.nextLinks(toward: [server])
        let towardClient = graph.nextLinks(toward: [client])
        func end(of link: Int, at node: Int) -> LabInterface {
            spec.nodeIndex(spec.links[link].a) == node ? links[link].a : links[link].b
        }
        func peer(of link: Int, from node: Int) -> LabInterface {
            spec.nodeIndex(spec.links[link].a) == node ? links[link].b : links[link].a
        }
        var attachments = spec.attachments
        if !attachments.contains(where: { $0.name == TopologySpec.policyAttachment }) {
            let firstHop = peer(of: towardServer[client]!, from: client).node
            attachments.append(.init(name: TopologySpec.policyAttachment, node: firstHop, facing: spec.nodes[client].name))
        }
        let points = attachments.map { attachment -> AttachmentPoint in
            let node = spec.nodeIndex(attachment.node)!
            let facing = spec.nodeIndex(attachment.facing)!
            let link = graph.adjacency[node].first { $0.neighbour == facing }!.link
            let hook: FilterPoint.Hook = node == server ? .input : .forward
            return AttachmentPoint(name: attachment.name, node: attachment.node, namespace: nodes[node].namespace,
                                   interface: end(of: link, at: node).name, direction: attachment.direction, hook: hook,
                                   egressInterface: hook == .forward ? towardServer[node].map { end(of: $0, at: node).name } : nil)
        }
        self.links = links
        self.topology = Topology(id: id, name: name, nodes: nodes, interfaces: links.flatMap { [$0.a, $0.b] },
                                 attachmentPoints: points,
                                 clientInterface: end(of: towardServer[client]!, at: client),
                                 serverInterface: end(of: towardClient[server]!, at: server),
                                 clientGateway: peer(of: towardServer[client]!, from: client),
                                 podAddresses: spec.pods.map(\.address), addressPlan: spec.addressPlan)

        var routes = [[String]](repeating: [], count: nodes.count)
        for node in nodes.indices where spec.routing == .automatic {
            if graph.degree(node) == 1 {
                routes[node] = ["route add \(AddressPlan.lab) via \(Self.host(peer(of: graph.adjacency[node][0].link, from: node)))"]
                continue
            }
            func via(_ next: [Int?]) -> String { Self.host(peer(of: next[node]!, from: node)) }
            for (index, link) in spec.links.enumerated() where link.a != spec.nodes[node].name && link.b != spec.nodes[node].name {
                let next = graph.nextLinks(toward: [spec.nodeIndex(link.a)!, spec.nodeIndex(link.b)!])
                routes[node].append("route add \(addresses[index].subnet) via \(via(next))")
            }
            if node != server { routes[node].append("route add \(AddressPlan.serviceRange) via \(via(towardServer))") }
            if node != client {
                for prefix in AddressPlan.clientPool { routes[node].append("route add \(prefix) via \(via(towardClient))") }
            }
        }
        for route in spec.routes {
            let node = spec.nodeIndex(route.node)!
            let link = graph.adjacency[node].first { spec.nodes[$0.neighbour].name == route.via }!.link
            var line = "route add \(route.destination) via \(Self.host(peer(of: link, from: node)))"
            if let source = route.source { line += " src \(source)" }
            if let metric = route.metric { line += " metric \(metric)" }
            if let table = route.table { line += " table \(table)" }
            routes[node].append(line)
        }
        for rule in spec.policyRules {
            routes[spec.nodeIndex(rule.node)!].append("rule add from \(rule.source) lookup \(rule.table) priority \(rule.priority)")
        }
        self.routes = routes
    }

    private static func host(_ interface: LabInterface) -> String { interface.ipv4.description }

    private func nodeIndex(namespace: String) -> Int? { topology.nodes.firstIndex { $0.namespace == namespace } }

    /// Per-namespace sysctls. They die with the namespace, so they are not journaled.
    public func sysctls(for namespace: String) -> [(String, String)] {
        var values = [
            // No IPv6 on lab links: no router solicitations or DAD packets in the counters.
            ("net.ipv6.conf.all.disable_ipv6", "1"),
            ("net.ipv6.conf.default.disable_ipv6", "1"),
            // Client-pool sources arrive on the link from the client; strict reverse-path filtering
            // would be fine for them, but loose-or-off avoids surprises with AnyIP sources.
            ("net.ipv4.conf.all.rp_filter", "0"),
            ("net.ipv4.conf.default.rp_filter", "0"),
        ]
        guard let node = nodeIndex(namespace: namespace) else { return values }
        // A node with several links sits between others: it routes.
        if TopologyGraph(spec).degree(node) > 1 { values.append(("net.ipv4.ip_forward", "1")) }
        if topology.nodes[node].role == .client {
            // Connect-rate workloads open many short connections: a wide port range and TIME_WAIT
            // reuse keep the client from running out of ports before the time bound.
            values.append(("net.ipv4.ip_local_port_range", "10000 65000"))
            values.append(("net.ipv4.tcp_tw_reuse", "1"))
        }
        let name = topology.nodes[node].name
        values += spec.sysctls.filter { $0.node == name }.map { ($0.key, $0.value) }
        return values
    }

    /// `ip -batch` lines for one namespace: addresses, links up, permanent neighbours, routes. The
    /// server's AnyIP service range comes before its routes and the client's pool after them — the
    /// order the original builder used, which the plan tests pin.
    public func commands(for namespace: String) -> [String] {
        var lines = ["link set lo up"]
        guard let node = nodeIndex(namespace: namespace) else { return lines }
        let mine = topology.interfaces.filter { $0.namespace == namespace }
        for interface in mine {
            lines.append("addr add \(interface.address) dev \(interface.name)")
            lines.append("link set \(interface.name) up")
        }
        for (neighbour, via) in neighbours(of: namespace) {
            lines.append("neigh replace \(Self.host(neighbour)) lladdr \(neighbour.mac) dev \(via.name) nud permanent")
        }
        let role = topology.nodes[node].role
        if role == .server {
            lines.append("addr add \(AddressPlan.server)/32 dev lo")
            // AnyIP: the server owns the whole service range, so probes and services may target any of it.
            lines.append("route add local \(AddressPlan.serviceRange) dev lo")
        }
        // AnyIP prefixes (pod CIDRs) before the routes: a route's `src` must already be a local address.
        let owned = spec.nodes[node].ownedPrefixes
        for prefix in owned { lines.append("route add local \(prefix) dev lo") }
        lines += routes[node]
        if role == .client && owned.isEmpty {
            // AnyIP: the client owns the whole pool, so probes and flows may use any pool source.
            for prefix in AddressPlan.clientPool { lines.append("route add local \(prefix) dev lo") }
        }
        return lines
    }

    /// (peer interface, local interface it is reached through) for each link end in `namespace`.
    func neighbours(of namespace: String) -> [(LabInterface, LabInterface)] {
        links.compactMap { link in
            if link.a.namespace == namespace { return (link.b, link.a) }
            if link.b.namespace == namespace { return (link.a, link.b) }
            return nil
        }
    }
}
