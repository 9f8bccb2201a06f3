/// What a node of a topology is for. An open vocabulary (a custom topology may say `pod`, `gateway`,
/// `node`, …): only `client` and `server` mean something to the lab, and each topology has exactly one
/// of each — the workloads run between them.
public struct NodeRole: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    /// Where the workloads start; owns the client pool (AnyIP).
    public static let client: NodeRole = "client"
    /// Where the workloads end; owns the service range (AnyIP).
    public static let server: NodeRole = "server"
    /// The device under test of the `routed` preset: a router whose forwarding path carries the policy.
    public static let dut: NodeRole = "dut"
    public static let router: NodeRole = "router"
    /// The gateway preset's worker node (its pods are addresses it owns) and egress gateway.
    public static let node: NodeRole = "node"
    public static let gateway: NodeRole = "gateway"

    public var description: String { rawValue }
}
