import LabNetwork

/// The address plan as run.json stores it: which pools there were, which node got which pod CIDR, and
/// which pod got which address from which node or pool. Addresses are text ("198.19.0.2"), not the
/// integers IPv4Address encodes as, so the record reads as the lab's routes do. Every list has a fixed
/// order (pools and nodes by name, pods by address, then name), so the same plan encodes to the same bytes.
public struct AddressPlanRecord: Codable, Equatable, Sendable {
    public struct Pool: Codable, Equatable, Sendable {
        /// "cluster" for the cluster pool, the pool's name for a multi-pool pool.
        public var name: String
        public var prefixes: [String]
        /// Only for the cluster pool: the per-node mask length.
        public var nodeMaskLength: Int?
        public var capacity: UInt64
        public var allocated: UInt64
    }

    public struct Node: Codable, Equatable, Sendable {
        public var name: String
        public var podCIDR: String
        public var gateway: String
    }

    public struct Pod: Codable, Equatable, Sendable {
        public var name: String
        public var address: String
        /// Set for a pod on a node's pod CIDR (cluster pool).
        public var node: String?
        /// Set for a pod with an address from a named pool (multi-pool).
        public var pool: String?
    }

    public var pools: [Pool]
    public var nodes: [Node]
    public var pods: [Pod]

    public init(cluster: ClusterPool? = nil, multiPool: MultiPool? = nil) {
        var pools: [Pool] = []
        var nodes: [Node] = []
        var pods: [(address: IPv4Address, pod: Pod)] = []
        if let cluster {
            pools.append(Pool(name: "cluster", prefixes: cluster.prefixes.map(\.description), nodeMaskLength: Int(cluster.nodeMaskLength),
                              capacity: cluster.capacity, allocated: cluster.allocatedCount))
            for node in cluster.nodes.values {
                nodes.append(Node(name: node.node, podCIDR: node.prefix.description, gateway: node.gateway.description))
                pods += node.pods.map { ($1, Pod(name: $0, address: $1.description, node: node.node)) }
            }
        }
        if let multiPool {
            for pool in multiPool.names.compactMap({ multiPool.pools[$0] }) {
                pools.append(Pool(name: pool.name, prefixes: pool.prefixes.map(\.description), capacity: pool.capacity,
                                  allocated: pool.allocatedCount))
                pods += pool.pods.map { ($1, Pod(name: $0, address: $1.description, pool: pool.name)) }
            }
        }
        self.pools = pools
        self.nodes = nodes.sorted { $0.name < $1.name }
        self.pods = pods.sorted { ($0.address, $0.pod.name) < ($1.address, $1.pod.name) }.map(\.pod)
    }
}
