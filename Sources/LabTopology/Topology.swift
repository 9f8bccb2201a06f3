import LabNetwork

/// The shapes of lab network.
public enum TopologyShape: String, Sendable, Codable, CaseIterable {
    /// client ⇄ server over one veth pair.
    case pair
    /// client ⇄ dut ⇄ server; the dut forwards between two veth pairs.
    case routed
}

/// One network interface of a lab node.
public struct LabInterface: Sendable, Codable, Equatable {
    public var name: String
    public var namespace: String
    public var mac: String
    /// Address with prefix length, e.g. "198.18.0.1/30".
    public var address: String
}

/// A topology that is up: every namespace and interface the lab made, and where filters attach.
public struct Topology: Sendable, Codable, Equatable {
    public var id: String
    public var shape: TopologyShape
    public var client: String
    public var dut: String?
    public var server: String
    public var interfaces: [LabInterface]

    public var namespaces: [String] { [client] + (dut.map { [$0] } ?? []) + [server] }

    /// The client's interface (traffic leaves the client here).
    public var clientInterface: LabInterface { interfaces.first { $0.namespace == client }! }
    /// The server's interface facing the client side (traffic arrives at the server here).
    public var serverInterface: LabInterface { interfaces.first { $0.namespace == server }! }

    /// Where a filter policy applies: the first hop after the client. In `routed` it is the dut's
    /// interface facing the client (netfilter FORWARD, XDP/tc ingress); in `pair` it is the server's
    /// interface (netfilter INPUT, XDP/tc ingress).
    public var filterPoint: FilterPoint {
        if let dut {
            let ingress = interfaces.first { $0.namespace == dut && $0.address.hasPrefix("\(AddressPlan.clientGateway)/") }!
            let egress = interfaces.first { $0.namespace == dut && $0.name != ingress.name }!
            return FilterPoint(namespace: dut, ingressInterface: ingress.name, egressInterface: egress.name, hook: .forward)
        }
        return FilterPoint(namespace: server, ingressInterface: serverInterface.name, egressInterface: nil, hook: .input)
    }

    /// The addresses workloads use.
    public var serverAddress: IPv4Address { AddressPlan.server }
    public var clientAddress: IPv4Address { AddressPlan.client }
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
