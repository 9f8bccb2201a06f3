import LabNetwork
import LabPolicy
import LabTopology

/// Which sources a netfilter rule matches. A /0 anywhere means "any source": iptables and nft would
/// accept `0.0.0.0/0` but ipset's hash:net rejects it ("The value of the CIDR parameter of the IP
/// address is invalid", ipset 7.17), so every netfilter form normalises it away the same way.
enum SourceMatch: Equatable, Sendable {
    case any
    case prefix(IPv4Prefix)
    /// A named set of the backend (an ipset or an nft set) holding these prefixes.
    case set(name: String, prefixes: [IPv4Prefix])
}

/// One rule of a netfilter chain in backend-neutral terms: what it matches and its verdict. The
/// iptables, ipset and nftables writers each render it in their own syntax.
struct NetfilterRule: Equatable, Sendable {
    var action: Action
    var source: SourceMatch
    /// nil: any destination (a /0 is normalised to nil).
    var destination: IPv4Prefix?
    var proto: IPProtocol
    var destinationPorts: PortRange?

    /// The rule exactly as the policy states it (one source prefix at most).
    init(_ rule: Rule) {
        action = rule.action
        source = rule.source.map { $0.length == 0 ? .any : .prefix($0) } ?? .any
        destination = rule.destination.flatMap { $0.length == 0 ? nil : $0 }
        proto = rule.proto
        destinationPorts = rule.destinationPorts
    }

    /// A clause: several source prefixes become the named set `setName`; one stays a plain prefix.
    init(_ clause: Clause, setName: String) {
        action = clause.action
        destination = clause.destination.flatMap { $0.length == 0 ? nil : $0 }
        proto = clause.proto
        destinationPorts = clause.destinationPorts
        switch clause.sources {
        case nil:
            source = .any
        case let prefixes? where prefixes.contains(where: { $0.length == 0 }):
            source = .any
        case let prefixes? where prefixes.count == 1:
            source = .prefix(prefixes[0])
        case let prefixes?:
            source = .set(name: setName, prefixes: prefixes)
        }
    }

    /// True when both rules match the same packets apart from their source.
    func matchesSameExceptSource(_ other: NetfilterRule) -> Bool {
        destination == other.destination && proto == other.proto && destinationPorts == other.destinationPorts
    }
}

/// The policies every netfilter backend here can express: IPv4 only, for now.
enum NetfilterSupport {
    static func check(_ policy: Policy, for backend: BackendKind) throws {
        guard policy.family == .ipv4 else {
            throw BackendUnsupported(backend, "the policy is \(policy.family.rawValue); this backend builds IPv4 rulesets only for now")
        }
    }

    /// A stateful policy needs a point that forwards: the state rules tell the client side from the
    /// server side by interface (the scenario reader refuses it earlier; this guards every other caller).
    static func check(_ policy: Policy, at point: FilterPoint, for backend: BackendKind) throws {
        try check(policy, for: backend)
        guard !policy.isStateful || (point.hook == .forward && point.egressInterface != nil) else {
            throw BackendUnsupported(backend, "a stateful policy needs a forwarding policy point; \(point.namespace) filters at INPUT")
        }
    }

    /// For a stateful policy: nf_conntrack's sysctls in the policy namespace, as gates; none otherwise.
    static func conntrackGates(_ policy: Policy, at point: FilterPoint) throws -> [String: String] {
        guard let tracking = policy.tracking else { return [:] }
        return try ConntrackSysctls.apply(tracking, in: point.namespace)
    }
}
