import LabIPAM
import LabNetwork

/// A topology as data: the nodes (one network namespace each), the links between them, and the named
/// attachment points where dataplanes are installed. Everything else — interface names, MACs, link
/// addresses not given, routes, neighbours, sysctls — follows from it (see `TopologyPlan`), so a
/// gateway chain or several pods per node is a new spec, not new builder code.
///
/// A spec is checked by `problems()`; only a spec without problems may be planned and built. The
/// presets (`TopologyPresets`) and custom topologies from scenario files are both specs.
public struct TopologySpec: Sendable, Equatable, Codable {
    /// One network namespace, `bl-<id>-<name>`.
    public struct Node: Sendable, Equatable, Codable {
        /// Unique in the topology: lowercase letters and digits, starting with a letter.
        public var name: String
        public var role: NodeRole
        /// What follows `bl<id>` in its interface names, before the interface's index: the name itself
        /// unless given (the presets keep their historical `-c`, `-d`, `-s`). The whole interface name
        /// must fit IFNAMSIZ - 1 = 15 characters.
        public var interfaceStem: String
        /// Prefixes the node owns by AnyIP (`route add local <prefix> dev lo`): every address in them is
        /// the node's own, as a node's pod CIDR is in the gateway preset, without an interface or a
        /// namespace per address. A client that owns prefixes owns those instead of the client pool.
        public var ownedPrefixes: [IPv4Prefix]

        public init(name: String, role: NodeRole, interfaceStem: String? = nil, ownedPrefixes: [IPv4Prefix] = []) {
            self.name = name
            self.role = role
            self.interfaceStem = interfaceStem ?? name
            self.ownedPrefixes = ownedPrefixes
        }
    }

    /// How a link is made. Only veth pairs today; a tunnel (VXLAN between two clusters) is a new case.
    public enum LinkKind: String, Sendable, Equatable, Codable, CaseIterable {
        case veth
    }

    /// A point-to-point link between two nodes. Addresses are given for both ends or for neither;
    /// when neither, the link gets the next free /30 of the infrastructure range (198.18.0.0/20), in
    /// link order, skipping the service range and the subnets other links were given.
    public struct Link: Sendable, Equatable, Codable {
        public var kind: LinkKind
        public var a: String
        public var b: String
        public var aAddress: InterfaceAddress?
        public var bAddress: InterfaceAddress?

        public init(kind: LinkKind = .veth, _ a: String, _ b: String, aAddress: InterfaceAddress? = nil,
                    bAddress: InterfaceAddress? = nil) {
            self.kind = kind
            self.a = a
            self.b = b
            self.aAddress = aAddress
            self.bAddress = bAddress
        }
    }

    /// Traffic direction at an attachment point's interface.
    public enum Direction: String, Sendable, Equatable, Codable {
        case ingress
        case egress
    }

    /// A named place where a dataplane is installed: `node`'s interface on its link to `facing`, in
    /// `direction`. The netfilter hook follows from the node: INPUT at the server (the traffic is
    /// addressed to it), FORWARD anywhere else (the node routes it).
    public struct Attachment: Sendable, Equatable, Codable {
        public var name: String
        public var node: String
        public var facing: String
        public var direction: Direction

        public init(name: String, node: String, facing: String, direction: Direction = .ingress) {
            self.name = name
            self.node = node
            self.facing = facing
            self.direction = direction
        }
    }

    /// The attachment point the scenario's filter policy is installed at. It must be ingress, on the
    /// client → server forwarding path, facing the previous hop (backends filter what arrives on an
    /// interface). A spec without one gets the default: the first hop after the client, facing it.
    public static let policyAttachment = "policy"
    /// More nodes than this is not a lab any more, and set-up time grows with every namespace.
    public static let maximumNodes = 16

    public var nodes: [Node]
    public var links: [Link]
    public var attachments: [Attachment]
    public var routing: Routing = .automatic
    /// Routes beyond (or, with `.explicit` routing, instead of) the shortest-path ones, in order.
    public var routes: [Route] = []
    public var policyRules: [PolicyRule] = []
    public var sysctls: [Sysctl] = []
    /// Pod addresses, in plan order (`Topology.podAddresses`), and the IPAM plan they came from.
    public var pods: [Pod] = []
    public var addressPlan: AddressPlanRecord? = nil

    public init(nodes: [Node], links: [Link], attachments: [Attachment] = []) {
        self.nodes = nodes
        self.links = links
        self.attachments = attachments
    }

    public func nodeIndex(_ name: String) -> Int? { nodes.firstIndex { $0.name == name } }
}
