import LabNetwork

/// What the dataplane must do with a new flow, by the service policy.
public enum ServiceVerdict: Hashable, Sendable, CustomStringConvertible {
    /// Translate it to one of these endpoints (the service's, in its order), each with the same
    /// probability — the spread the chi-square check compares observed connections with.
    case balance(to: [ServiceEndpoint])
    /// A service without endpoints whose policy says reject: the client is refused.
    case reject
    /// A service without endpoints whose policy says drop: nothing answers.
    case drop
    /// No service matches: the flow must reach its destination untranslated.
    case notAService

    /// The probability of each endpoint of `.balance(to:)`, in its order: uniform. Empty for the others.
    public var expectedShares: [Double] {
        guard case .balance(let endpoints) = self else { return [] }
        return Array(repeating: 1 / Double(endpoints.count), count: endpoints.count)
    }

    /// Whether a connection that reached `endpoint` is one this verdict allows.
    public func allows(reaching endpoint: ServiceEndpoint) -> Bool {
        guard case .balance(let endpoints) = self else { return false }
        return endpoints.contains(endpoint)
    }

    public var description: String {
        switch self {
        case .balance(let endpoints): return "balance to \(endpoints.map(\.description).joined(separator: ", "))"
        case .reject: return "reject"
        case .drop: return "drop"
        case .notAService: return "not a service"
        }
    }
}

/// The reference for load-balancing, as `ReferenceEvaluator` is for filters: a plain lookup by
/// (protocol, VIP, port), built once so an equivalence check over 30k services stays linear.
/// Affinity is not its business: which endpoint a given flow keeps is the tracker's, and the check
/// only asks that it is one of these.
public struct ServiceReference: Sendable {
    private let byKey: [ServiceKey: Service]
    private let withoutEndpoints: EmptyServiceVerdict?

    /// Precondition: `policy` passed `validate(endpointRange:)` (no duplicate keys, and a stated verdict
    /// if any service has no endpoints). A duplicate would keep the first service, as a chain walk does.
    public init(_ policy: ServicePolicy) {
        byKey = Dictionary(policy.services.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        withoutEndpoints = policy.withoutEndpoints
    }

    public func verdict(proto: TransportProtocol, destination: IPv4Address, port: UInt16) -> ServiceVerdict {
        guard let service = byKey[ServiceKey(proto: proto, vip: destination, port: port)] else { return .notAService }
        guard !service.endpoints.isEmpty else {
            switch withoutEndpoints {
            case .reject: return .reject
            case .drop: return .drop
            case nil: preconditionFailure("service \(service.key) has no endpoints and the policy states no verdict: validate it first")
            }
        }
        return .balance(to: service.endpoints)
    }
}
