import LabNetwork

/// One backend of a service: the address and port a connection to the VIP is translated to.
/// (Named `ServiceEndpoint`, not `Endpoint`: LabTraffic's socket `Endpoint` is imported beside LabPolicy.)
public struct ServiceEndpoint: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public var address: IPv4Address
    public var port: UInt16

    public init(address: IPv4Address, port: UInt16) {
        self.address = address
        self.port = port
    }

    public var description: String { "\(address):\(port)" }

    public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.address, lhs.port) < (rhs.address, rhs.port) }
}

/// What identifies a service to a packet: the protocol and the VIP:port it is sent to. Two services
/// with the same key would make "which endpoints may this flow reach" ambiguous, so a policy holds it once.
public struct ServiceKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var proto: TransportProtocol
    public var vip: IPv4Address
    public var port: UInt16

    public init(proto: TransportProtocol, vip: IPv4Address, port: UInt16) {
        self.proto = proto
        self.vip = vip
        self.port = port
    }

    public var description: String { "\(proto.rawValue) \(vip):\(port)" }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.vip, lhs.port, lhs.proto.rawValue) < (rhs.vip, rhs.port, rhs.proto.rawValue)
    }
}

/// A load-balanced service (a Kubernetes ClusterIP service's one port): connections to `vip:port`
/// over `proto` are translated to one of `endpoints`, each equally likely (kube-proxy's `statistic`
/// / `numgen` and Cilium's backend slots all pick uniformly).
public struct Service: Hashable, Codable, Sendable, CustomStringConvertible {
    public var vip: IPv4Address
    public var port: UInt16
    public var proto: TransportProtocol
    /// In order: the order kube-proxy writes its per-endpoint chains in. May be empty; what that means
    /// is the policy's `withoutEndpoints`.
    public var endpoints: [ServiceEndpoint]

    public init(vip: IPv4Address, port: UInt16, proto: TransportProtocol = .tcp, endpoints: [ServiceEndpoint]) {
        self.vip = vip
        self.port = port
        self.proto = proto
        self.endpoints = endpoints
    }

    public var key: ServiceKey { ServiceKey(proto: proto, vip: vip, port: port) }

    public var description: String { key.description }

    enum CodingKeys: String, CodingKey { case vip, port, proto = "protocol", endpoints }
}
