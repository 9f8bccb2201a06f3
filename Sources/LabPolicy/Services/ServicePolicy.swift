import LabNetwork

/// The services a dataplane load-balances, in install order (the last one is the worst case for
/// kube-proxy's iptables chain walk), and what a service without endpoints means.
///
/// Validation (`validate(endpointRange:)`) is separate from construction, as for `Policy`: the scenario
/// reader reports every error with its file:line:column, so the model states the rule and the reader
/// places it.
public struct ServicePolicy: Hashable, Codable, Sendable {
    public var services: [Service]
    /// What a connection to a service without endpoints gets. nil: the policy does not say, which is
    /// only valid while every service has an endpoint.
    public var withoutEndpoints: EmptyServiceVerdict?

    public init(services: [Service], withoutEndpoints: EmptyServiceVerdict? = nil) {
        self.services = services
        self.withoutEndpoints = withoutEndpoints
    }

    /// Every endpoint of every service, each once, in first-mention order.
    public var endpoints: [ServiceEndpoint] {
        var seen = Set<ServiceEndpoint>()
        return services.flatMap(\.endpoints).filter { seen.insert($0).inserted }
    }

    /// Checks the rules the reference and every backend rely on; throws the first violation, in
    /// service order. `endpointRange` is where endpoints may live (the lab passes its 198.18.0.0/15).
    ///
    /// A VIP may lie inside `endpointRange` (in the lab everything does), but it must not be the address
    /// of any endpoint: a flow to that address would be both "to a service" and "to an endpoint reached
    /// directly", and the equivalence check could not tell a translated connection from an untranslated one.
    public func validate(endpointRange: [IPv4Prefix]) throws(ServicePolicyError) {
        var keys = Set<ServiceKey>()
        let endpointAddresses = Set(services.flatMap { $0.endpoints.map(\.address) })
        for service in services {
            guard service.port != 0 else { throw .zeroPort(service: service.key) }
            guard keys.insert(service.key).inserted else { throw .duplicateService(service.key) }
            if service.endpoints.isEmpty, withoutEndpoints == nil { throw .noEndpointsUnstated(service: service.key) }
            if endpointAddresses.contains(service.vip) { throw .vipIsAnEndpoint(service: service.key) }
            var seen = Set<ServiceEndpoint>()
            for endpoint in service.endpoints {
                guard endpoint.port != 0 else { throw .zeroEndpointPort(service: service.key, endpoint: endpoint) }
                guard endpointRange.contains(where: { $0.contains(endpoint.address) }) else {
                    throw .endpointOutsideRange(service: service.key, endpoint: endpoint, range: endpointRange)
                }
                guard seen.insert(endpoint).inserted else { throw .duplicateEndpoint(service: service.key, endpoint: endpoint) }
            }
        }
    }

    enum CodingKeys: String, CodingKey { case services, withoutEndpoints = "without_endpoints" }
}
