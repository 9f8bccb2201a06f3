import LabNetwork

/// Why a service policy cannot be installed; each reads as one line naming the service.
public enum ServicePolicyError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Two services answer the same protocol, VIP and port.
    case duplicateService(ServiceKey)
    /// A service has no endpoints and the policy does not say whether that means reject or drop.
    case noEndpointsUnstated(service: ServiceKey)
    /// An endpoint is not inside the range endpoints may use.
    case endpointOutsideRange(service: ServiceKey, endpoint: ServiceEndpoint, range: [IPv4Prefix])
    /// The same endpoint is listed twice in one service, which would double its share of the spread.
    case duplicateEndpoint(service: ServiceKey, endpoint: ServiceEndpoint)
    /// A service's VIP is also some endpoint's address (see `ServicePolicy.validate`).
    case vipIsAnEndpoint(service: ServiceKey)
    case zeroPort(service: ServiceKey)
    case zeroEndpointPort(service: ServiceKey, endpoint: ServiceEndpoint)

    public var description: String {
        switch self {
        case .duplicateService(let key):
            return "service \(key) is defined twice (a VIP, port and protocol name one service)"
        case .noEndpointsUnstated(let key):
            return "service \(key) has no endpoints and the policy does not say what that means (without_endpoints: reject or drop)"
        case .endpointOutsideRange(let key, let endpoint, let range):
            return "service \(key): endpoint \(endpoint) is outside the endpoint range \(range.map(\.description).joined(separator: ", "))"
        case .duplicateEndpoint(let key, let endpoint):
            return "service \(key) lists endpoint \(endpoint) twice"
        case .vipIsAnEndpoint(let key):
            return "service \(key): the VIP \(key.vip) is also an endpoint's address, so a flow to it could be translated or not"
        case .zeroPort(let key):
            return "service \(key) has port 0"
        case .zeroEndpointPort(let key, let endpoint):
            return "service \(key): endpoint \(endpoint) has port 0"
        }
    }
}
