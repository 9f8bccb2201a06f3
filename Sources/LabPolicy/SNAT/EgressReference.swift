import LabNetwork

/// What a gateway does with a flow leaving through it.
public enum EgressVerdict: Hashable, Sendable, CustomStringConvertible {
    /// The source becomes this egress IP (and a port in the policy's range).
    case translate(IPv4Address)
    /// The gateway drops it: no rule selects the source, or its rule names other gateways only.
    case drop

    public var description: String {
        switch self {
        case .translate(let address): return "translate to \(address)"
        case .drop: return "drop"
        }
    }
}

/// The reference for SNAT, as `ReferenceEvaluator` is for filters: pure, obvious, slow on purpose. The
/// NAT equivalence check compares what a capture on the external server saw with it.
public enum EgressReference {
    /// The verdict of the gateway whose egress IP is `gateway` for a flow from `source`: the first rule
    /// selecting the source decides; it is translated if that rule lists `gateway`, dropped otherwise.
    public static func verdict(_ policy: SNATPolicy, gateway: IPv4Address, source: IPv4Address) -> EgressVerdict {
        guard let rule = policy.egress.first(where: { $0.selects(source) }), rule.egressIPs.contains(gateway) else { return .drop }
        return .translate(gateway)
    }

    /// The egress IP `source` leaves by while the gateways owning `failed` are down: the first of its
    /// rule's egress IPs that has not failed; nil when no rule selects it or all its gateways failed.
    public static func egressIP(_ policy: SNATPolicy, source: IPv4Address, failed: Set<IPv4Address> = []) -> IPv4Address? {
        policy.egress.first { $0.selects(source) }?.egressIPs.first { !failed.contains($0) }
    }
}
