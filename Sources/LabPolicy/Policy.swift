import LabNetwork
/// The protocols a rule can match. `any` matches every IPv4 packet, including ICMP.
public enum IPProtocol: String, Codable, Sendable, CaseIterable, Hashable {
    case tcp, udp, icmp, any

    /// IANA protocol number; nil for `any`.
    public var number: UInt8? {
        switch self {
        case .tcp: return 6
        case .udp: return 17
        case .icmp: return 1
        case .any: return nil
        }
    }

    /// Whether rules of this protocol may carry a destination port.
    public var hasPorts: Bool { self == .tcp || self == .udp }
}

public enum Action: String, Codable, Sendable, CaseIterable, Hashable {
    case allow, deny
}

/// An inclusive destination port range; a single port is `lower == upper`.
public struct PortRange: Hashable, Codable, Sendable, CustomStringConvertible {
    public let lower: UInt16
    public let upper: UInt16

    public init?(_ lower: UInt16, _ upper: UInt16) {
        guard lower >= 1, lower <= upper else { return nil }
        self.lower = lower
        self.upper = upper
    }

    public init?(port: UInt16) { self.init(port, port) }

    public func contains(_ port: UInt16) -> Bool { port >= lower && port <= upper }
    public var isSinglePort: Bool { lower == upper }
    public var count: Int { Int(upper) - Int(lower) + 1 }
    public var description: String { isSinglePort ? "\(lower)" : "\(lower)-\(upper)" }
}

/// One ordered rule. A nil field matches anything.
public struct Rule: Hashable, Codable, Sendable, CustomStringConvertible {
    public var action: Action
    public var source: IPv4Prefix?
    public var destination: IPv4Prefix?
    public var proto: IPProtocol
    public var destinationPorts: PortRange?

    public init(action: Action, source: IPv4Prefix? = nil, destination: IPv4Prefix? = nil,
                proto: IPProtocol = .any, destinationPorts: PortRange? = nil) {
        precondition(destinationPorts == nil || proto.hasPorts, "ports need tcp or udp")
        self.action = action
        self.source = source
        self.destination = destination
        self.proto = proto
        self.destinationPorts = destinationPorts
    }

    public func matches(_ flow: Flow) -> Bool {
        if let source, !source.contains(flow.source) { return false }
        if let destination, !destination.contains(flow.destination) { return false }
        if let number = proto.number, number != flow.proto.number { return false }
        if let destinationPorts {
            guard let port = flow.destinationPort, destinationPorts.contains(port) else { return false }
        }
        return true
    }

    public var description: String {
        var parts = [action.rawValue, proto.rawValue]
        if let source { parts.append("from \(source)") }
        if let destination { parts.append("to \(destination)") }
        if let destinationPorts { parts.append("port \(destinationPorts)") }
        return parts.joined(separator: " ")
    }
}

/// A stateless filter policy: rules in order, first match wins, else `defaultAction`. It is applied to
/// traffic crossing the device under test in one direction (client → server); replies are allowed
/// (see README, "Backends": placement).
public struct Policy: Hashable, Codable, Sendable {
    public var family: AddressFamily
    public var rules: [Rule]
    public var defaultAction: Action
    /// nil: stateless (the rules decide every client → server packet; replies are not looked at).
    /// Set: stateful — packets of established flows pass in both directions, a new flow from the
    /// client is decided by the rules, anything else (a new flow from the server side, a TCP packet
    /// that does not open or continue a tracked flow) is dropped.
    public var tracking: ConnectionTracking?
    /// nil: no address translation. Set: the policy is an egress gateway's — selected pods leave with
    /// the gateway's egress IP as their source (see `SNATPolicy`); the filter rules are then empty and
    /// the default is allow (the egress rules decide what leaves).
    public var snat: SNATPolicy?

    public init(rules: [Rule], defaultAction: Action, family: AddressFamily = .ipv4, tracking: ConnectionTracking? = nil,
                snat: SNATPolicy? = nil) {
        self.family = family
        self.rules = rules
        self.defaultAction = defaultAction
        self.tracking = tracking
        self.snat = snat
    }

    public var isStateful: Bool { tracking != nil }

    /// This policy with `rule` in front of the others (an update); everything else is kept.
    public func inserting(_ rule: Rule) -> Policy {
        var next = self
        next.rules.insert(rule, at: 0)
        return next
    }

    public static let allowAll = Policy(rules: [], defaultAction: .allow)
}

/// A flow as the filter sees its first packet. `destinationPort` is nil for ICMP.
public struct Flow: Hashable, Codable, Sendable, CustomStringConvertible {
    public var proto: IPProtocol
    public var source: IPv4Address
    public var destination: IPv4Address
    public var sourcePort: UInt16?
    public var destinationPort: UInt16?

    public init(proto: IPProtocol, source: IPv4Address, destination: IPv4Address,
                sourcePort: UInt16? = nil, destinationPort: UInt16? = nil) {
        precondition(proto != .any, "a flow has a concrete protocol")
        self.proto = proto
        self.source = source
        self.destination = destination
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
    }

    public var description: String {
        let sport = sourcePort.map { ":\($0)" } ?? ""
        let dport = destinationPort.map { ":\($0)" } ?? ""
        return "\(proto.rawValue) \(source)\(sport) -> \(destination)\(dport)"
    }
}

/// The reference: what every backend must decide for a flow. Pure, obvious and slow on purpose:
/// it is the ground truth the equivalence probes are checked against.
public enum ReferenceEvaluator {
    public static func verdict(_ policy: Policy, _ flow: Flow) -> Action {
        policy.rules.first { $0.matches(flow) }?.action ?? policy.defaultAction
    }

    /// Index of the first matching rule, nil when the default action applies.
    public static func matchingRule(_ policy: Policy, _ flow: Flow) -> Int? {
        policy.rules.firstIndex { $0.matches(flow) }
    }
}
