import LabNetwork

extension TopologySpec {
    /// How a node's routes are made.
    public enum Routing: String, Sendable, Equatable, Codable {
        /// Shortest paths over the graph (see `TopologyPlan`), plus the spec's `routes`.
        case automatic
        /// Only the spec's `routes`: a topology whose paths are policy, not distance (the gateway
        /// preset's primary and backup gateways are equally far from every node).
        case explicit
    }

    /// A route the spec states: on `node`, `destination` via the neighbour `via` (its address on their
    /// link), with an optional metric (lower wins; a route whose link is down is skipped when the node
    /// sets `ignore_routes_with_linkdown`, so a higher-metric route is a backup), preferred source
    /// address (what an unbound socket uses) and routing table (for `PolicyRule`s; nil: main).
    public struct Route: Sendable, Equatable, Codable {
        public var node: String
        public var destination: IPv4Prefix
        public var via: String
        public var metric: Int?
        public var source: IPv4Address?
        public var table: Int?

        public init(node: String, destination: IPv4Prefix, via: String, metric: Int? = nil, source: IPv4Address? = nil,
                    table: Int? = nil) {
            self.node = node
            self.destination = destination
            self.via = via
            self.metric = metric
            self.source = source
            self.table = table
        }
    }

    /// `ip rule add from <source> lookup <table> priority <priority>` on `node`: traffic from these
    /// sources looks up `table` first (falling through to main when nothing there matches, e.g. when
    /// every route in it is down).
    public struct PolicyRule: Sendable, Equatable, Codable {
        public var node: String
        public var source: IPv4Prefix
        public var table: Int
        public var priority: Int

        public init(node: String, source: IPv4Prefix, table: Int, priority: Int) {
            self.node = node
            self.source = source
            self.table = table
            self.priority = priority
        }
    }

    /// A per-namespace sysctl a spec asks for on one node (they die with the namespace: no journal).
    public struct Sysctl: Sendable, Equatable, Codable {
        public var node: String
        public var key: String
        public var value: String

        public init(node: String, key: String, value: String) {
            self.node = node
            self.key = key
            self.value = value
        }
    }

    /// A pod: an address a node owns (inside one of its `ownedPrefixes`), not a namespace.
    public struct Pod: Sendable, Equatable, Codable {
        public var name: String
        public var node: String
        public var address: IPv4Address

        public init(name: String, node: String, address: IPv4Address) {
            self.name = name
            self.node = node
            self.address = address
        }
    }
}
