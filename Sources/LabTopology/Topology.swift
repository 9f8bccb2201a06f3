import LabIPAM
import LabNetwork

/// One network interface of a lab node.
public struct LabInterface: Sendable, Codable, Equatable {
    public var name: String
    public var namespace: String
    public var mac: String
    /// Address with prefix length, e.g. "198.18.0.1/30".
    public var address: String
    /// The spec's name of the node it belongs to.
    public var node: String

    public init(name: String, namespace: String, mac: String, address: String, node: String) {
        self.name = name
        self.namespace = namespace
        self.mac = mac
        self.address = address
        self.node = node
    }

    /// `address` without its prefix length.
    public var ipv4: IPv4Address { IPv4Address(String(address.prefix { $0 != "/" }))! }
}

/// One node of a built topology.
public struct TopologyNode: Sendable, Codable, Equatable {
    public var name: String
    public var role: NodeRole
    public var namespace: String
}

/// A named place where a dataplane is installed, resolved to a namespace and interface.
public struct AttachmentPoint: Sendable, Codable, Equatable {
    public var name: String
    public var node: String
    public var namespace: String
    public var interface: String
    public var direction: TopologySpec.Direction
    public var hook: FilterPoint.Hook
    /// For FORWARD: the node's interface toward the server, where the forwarded traffic leaves.
    public var egressInterface: String?

    /// As a backend's filter point (backends filter on ingress).
    public var filterPoint: FilterPoint {
        FilterPoint(namespace: namespace, ingressInterface: interface, egressInterface: egressInterface, hook: hook)
    }
}

/// A topology that is up: every namespace and interface the lab made, and where dataplanes attach.
public struct Topology: Sendable, Codable, Equatable {
    public var id: String
    /// The preset's name, or "custom".
    public var name: String
    public var nodes: [TopologyNode]
    public var interfaces: [LabInterface]
    public var attachmentPoints: [AttachmentPoint]
    /// The client's interface toward the server (traffic leaves the client here).
    public var clientInterface: LabInterface
    /// The server's interface toward the client (traffic arrives at the server here).
    public var serverInterface: LabInterface
    /// The other end of the client's link toward the server: where the client's packets go first
    /// (its MAC is what a raw-socket flood must address).
    public var clientGateway: LabInterface
    /// Pod addresses from the topology's IPAM plan, in plan order (node by node), for workloads that
    /// need many real sources (the gateway preset); empty where the topology has no pods.
    public var podAddresses: [IPv4Address] = []
    /// The IPAM plan the pods' addresses and the nodes' pod CIDRs came from (run.json records it);
    /// nil where the topology has no pods.
    public var addressPlan: AddressPlanRecord? = nil

    /// The client's namespace.
    public var client: String { node(role: .client)!.namespace }
    /// The server's namespace.
    public var server: String { node(role: .server)!.namespace }
    public var namespaces: [String] { nodes.map(\.namespace) }
    /// The server's interfaces (two in the gateway preset with two gateways): where a capture of what
    /// reaches the server listens.
    public var serverInterfaces: [LabInterface] { interfaces.filter { $0.namespace == server } }

    /// The first node with `role` (the client and the server are unique).
    public func node(role: NodeRole) -> TopologyNode? { nodes.first { $0.role == role } }
    public func nodes(role: NodeRole) -> [TopologyNode] { nodes.filter { $0.role == role } }
    public func node(named name: String) -> TopologyNode? { nodes.first { $0.name == name } }
    public func attachmentPoint(named name: String) -> AttachmentPoint? { attachmentPoints.first { $0.name == name } }

    /// Where the filter policy applies: the attachment point named `policy` (in `routed`, the dut's
    /// interface facing the client, FORWARD; in `pair`, the server's interface, INPUT).
    public var filterPoint: FilterPoint { attachmentPoint(named: TopologySpec.policyAttachment)!.filterPoint }

    /// The IPv4 address of `point`'s egress interface (a gateway's egress IP); nil for INPUT points.
    public func egressAddress(of point: AttachmentPoint) -> IPv4Address? {
        guard let name = point.egressInterface, let interface = interfaces.first(where: { $0.name == name }) else { return nil }
        return interface.ipv4
    }

    /// The addresses workloads use.
    public var serverAddress: IPv4Address { AddressPlan.server }
    /// The client's source for workloads: its first pod's address where the client node has pods (the
    /// gateway preset: n1's routes toward the server carry it as `src`), else its own link address
    /// (AddressPlan.client in the presets).
    public var clientAddress: IPv4Address { clientPodAddresses.min() ?? clientInterface.ipv4 }

    /// Every attachment point a policy is installed at: `policy` first, then each `policy-…` (the
    /// gateway preset's backup gateways) in declaration order.
    public var policyPoints: [AttachmentPoint] {
        let policy = TopologySpec.policyAttachment
        return attachmentPoints.filter { $0.name == policy } + attachmentPoints.filter { $0.name.hasPrefix(policy + "-") }
    }

    /// The gateway nodes in order (gw1 first: the primary).
    public var gateways: [TopologyNode] { nodes(role: .gateway) }

    /// `gateway`'s interfaces whose link leads to a worker node (role `node` or the client): what a
    /// failover test sets down to take the gateway away from the nodes while it still faces the server.
    public func nodeFacingInterfaces(of gateway: String) -> [LabInterface] {
        // `interfaces` lists each link's two ends one after the other (TopologyPlan), so a link end's
        // peer is its pair neighbour.
        stride(from: 0, to: interfaces.count - 1, by: 2).compactMap { index in
            let (a, b) = (interfaces[index], interfaces[index + 1])
            guard a.node == gateway || b.node == gateway else { return nil }
            let (mine, peer) = a.node == gateway ? (a, b) : (b, a)
            guard let role = node(named: peer.node)?.role, role == .node || role == .client else { return nil }
            return mine
        }
    }
}

/// Where a backend installs its policy.
public struct FilterPoint: Sendable, Codable, Equatable {
    public enum Hook: String, Sendable, Codable {
        /// Traffic routed through the namespace (netfilter FORWARD).
        case forward
        /// Traffic addressed to the namespace (netfilter INPUT).
        case input
    }

    public var namespace: String
    /// The interface facing the client: XDP and tc attach here; netfilter matches `-i` on it.
    public var ingressInterface: String
    public var egressInterface: String?
    public var hook: Hook

    public init(namespace: String, ingressInterface: String, egressInterface: String?, hook: Hook) {
        self.namespace = namespace
        self.ingressInterface = ingressInterface
        self.egressInterface = egressInterface
        self.hook = hook
    }
}
