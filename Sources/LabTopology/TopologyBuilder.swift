import Foundation
import LabNetwork
import LabSystem

/// Builds a topology in fresh namespaces, journaling each namespace before creating it. Links are
/// created directly inside their namespaces (never in the root namespace), so deleting the
/// namespaces removes everything; nothing reaches outside 198.18.0.0/15 because no namespace gets a
/// route outside it (no default route at all).
public enum TopologyBuilder {
    public static func up(_ shape: TopologyShape, journal: Journal, id: String = LabNames.newID()) throws -> Topology {
        let plan = TopologyPlan(shape: shape, id: id)
        for namespace in plan.topology.namespaces {
            try Cancellation.shared.checkpoint()
            try journal.record(.deleteNamespace(namespace))
            try IPCommand.run(["netns", "add", namespace], doing: "create namespace \(namespace)")
            try NamespaceSysctls.apply(plan.sysctls(for: namespace), in: namespace)
        }
        for link in plan.links {
            try IPCommand.run(["link", "add", link.a.name, "netns", link.a.namespace, "address", link.a.mac,
                               "type", "veth", "peer", "name", link.b.name, "netns", link.b.namespace,
                               "address", link.b.mac],
                              doing: "create veth \(link.a.name) ⇄ \(link.b.name)")
        }
        for namespace in plan.topology.namespaces {
            try Cancellation.shared.checkpoint()
            try IPCommand.batch(plan.commands(for: namespace), in: namespace)
        }
        return plan.topology
    }
}

/// Everything about a topology that can be decided without touching the kernel: names, MACs,
/// addresses, routes, static neighbours and sysctls. Pure, so it is unit-tested.
public struct TopologyPlan: Sendable {
    public struct Link: Sendable {
        public var a: LabInterface
        public var b: LabInterface
    }

    public let topology: Topology
    public let links: [Link]

    public init(shape: TopologyShape, id: String) {
        let client = LabNames.namespace(id, role: .client)
        let server = LabNames.namespace(id, role: .server)
        let dut = shape == .routed ? LabNames.namespace(id, role: .dut) : nil
        func interface(_ role: NodeRole, _ namespace: String, _ index: Int, _ macTail: UInt8, _ address: IPv4Address,
                       _ length: Int) -> LabInterface {
            LabInterface(name: LabNames.interface(id, role: role, index: index), namespace: namespace,
                         mac: String(format: "02:62:6c:00:00:%02x", macTail), address: "\(address)/\(length)")
        }
        let clientSide = interface(.client, client, 0, 0x01, AddressPlan.client, 30)
        var links: [Link] = []
        if let dut {
            links.append(Link(a: clientSide, b: interface(.dut, dut, 0, 0x02, AddressPlan.clientGateway, 30)))
            links.append(Link(a: interface(.dut, dut, 1, 0x05, AddressPlan.dutServerSide, 30),
                              b: interface(.server, server, 0, 0x06, AddressPlan.serverLinkAddress, 30)))
        } else {
            links.append(Link(a: clientSide, b: interface(.server, server, 0, 0x02, AddressPlan.clientGateway, 30)))
        }
        self.links = links
        self.topology = Topology(id: id, shape: shape, client: client, dut: dut, server: server,
                                 interfaces: links.flatMap { [$0.a, $0.b] })
    }

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
        if namespace == topology.dut { values.append(("net.ipv4.ip_forward", "1")) }
        if namespace == topology.client {
            // Connect-rate workloads open many short connections: a wide port range and TIME_WAIT
            // reuse keep the client from running out of ports before the time bound.
            values.append(("net.ipv4.ip_local_port_range", "10000 65000"))
            values.append(("net.ipv4.tcp_tw_reuse", "1"))
        }
        return values
    }

    /// `ip -batch` lines for one namespace: addresses, links up, routes, permanent neighbours.
    public func commands(for namespace: String) -> [String] {
        var lines = ["link set lo up"]
        let mine = topology.interfaces.filter { $0.namespace == namespace }
        for interface in mine {
            lines.append("addr add \(interface.address) dev \(interface.name)")
            lines.append("link set \(interface.name) up")
        }
        for (neighbour, via) in neighbours(of: namespace) {
            lines.append("neigh replace \(neighbour.address.split(separator: "/")[0]) lladdr \(neighbour.mac) dev \(via.name) nud permanent")
        }
        let lab = AddressPlan.lab
        switch namespace {
        case topology.client:
            lines.append("route add \(lab) via \(AddressPlan.clientGateway)")
            // AnyIP: the client owns the whole pool, so probes and flows may use any pool source.
            for prefix in AddressPlan.clientPool { lines.append("route add local \(prefix) dev lo") }
        case topology.server:
            lines.append("addr add \(AddressPlan.server)/32 dev lo")
            // AnyIP: the server owns the whole service range, so probes and services may target any of it.
            lines.append("route add local \(AddressPlan.serviceRange) dev lo")
            let gateway = topology.dut == nil ? AddressPlan.client : AddressPlan.dutServerSide
            lines.append("route add \(lab) via \(gateway)")
        case topology.dut:
            lines.append("route add \(AddressPlan.serviceRange) via \(AddressPlan.serverLinkAddress)")
            for prefix in AddressPlan.clientPool { lines.append("route add \(prefix) via \(AddressPlan.client)") }
        default:
            break
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
