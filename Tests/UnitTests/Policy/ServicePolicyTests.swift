import Foundation
import LabNetwork
import LabPolicy
import Testing

@Suite struct ServicePolicyTests {
    static let lab = [IPv4Prefix("198.18.0.0/15")!]
    static func endpoint(_ text: String, _ port: UInt16 = 8080) -> ServiceEndpoint {
        ServiceEndpoint(address: IPv4Address(text)!, port: port)
    }
    static func service(_ vip: String, _ port: UInt16 = 80, _ proto: TransportProtocol = .tcp, _ endpoints: [ServiceEndpoint]) -> Service {
        Service(vip: IPv4Address(vip)!, port: port, proto: proto, endpoints: endpoints)
    }
    let web = service("198.18.200.1", 80, .tcp, [endpoint("198.18.100.1"), endpoint("198.18.100.2")])
    let dns = service("198.18.200.2", 53, .udp, [endpoint("198.18.100.3", 53)])

    @Test func aWellFormedPolicyValidates() throws {
        try ServicePolicy(services: [web, dns]).validate(endpointRange: Self.lab)
        // The same VIP:port over another protocol is another service.
        try ServicePolicy(services: [web, Self.service("198.18.200.1", 80, .udp, [Self.endpoint("198.18.100.9")])])
            .validate(endpointRange: Self.lab)
    }

    @Test func aDuplicateVIPPortAndProtocolIsRefused() {
        let twin = Self.service("198.18.200.1", 80, .tcp, [Self.endpoint("198.18.100.7")])
        #expect(throws: ServicePolicyError.duplicateService(twin.key)) {
            try ServicePolicy(services: [web, dns, twin]).validate(endpointRange: Self.lab)
        }
        #expect(ServicePolicyError.duplicateService(twin.key).description
            == "service tcp 198.18.200.1:80 is defined twice (a VIP, port and protocol name one service)")
    }

    @Test func aServiceWithoutEndpointsNeedsAStatedVerdict() throws {
        let empty = Self.service("198.18.200.3", 80, .tcp, [])
        #expect(throws: ServicePolicyError.noEndpointsUnstated(service: empty.key)) {
            try ServicePolicy(services: [web, empty]).validate(endpointRange: Self.lab)
        }
        #expect(ServicePolicyError.noEndpointsUnstated(service: empty.key).description
            == "service tcp 198.18.200.3:80 has no endpoints and the policy does not say what that means (without_endpoints: reject or drop)")
        try ServicePolicy(services: [web, empty], withoutEndpoints: .reject).validate(endpointRange: Self.lab)
        try ServicePolicy(services: [web, empty], withoutEndpoints: .drop).validate(endpointRange: Self.lab)
    }

    @Test func endpointsOutsideTheAllowedRangeAreRefused() {
        let outside = Self.endpoint("10.0.0.1")
        let stray = Self.service("198.18.200.4", 80, .tcp, [Self.endpoint("198.18.100.4"), outside])
        #expect(throws: ServicePolicyError.endpointOutsideRange(service: stray.key, endpoint: outside, range: Self.lab)) {
            try ServicePolicy(services: [stray]).validate(endpointRange: Self.lab)
        }
        #expect(ServicePolicyError.endpointOutsideRange(service: stray.key, endpoint: outside, range: Self.lab).description
            == "service tcp 198.18.200.4:80: endpoint 10.0.0.1:8080 is outside the endpoint range 198.18.0.0/15")
    }

    @Test func aVIPThatIsAlsoAnEndpointAddressIsAmbiguous() throws {
        // Another service's endpoint at the VIP's address: a flow to it could be translated or not.
        let clash = Self.service("198.18.100.1", 9000, .tcp, [Self.endpoint("198.18.100.5")])
        #expect(throws: ServicePolicyError.vipIsAnEndpoint(service: clash.key)) {
            try ServicePolicy(services: [web, clash]).validate(endpointRange: Self.lab)
        }
        // A VIP inside the endpoint range but nobody's endpoint is fine (in the lab everything is in the /15).
        try ServicePolicy(services: [Self.service("198.18.100.200", 80, .tcp, [Self.endpoint("198.18.100.5")])])
            .validate(endpointRange: Self.lab)
    }

    @Test func anEndpointListedTwiceOrAZeroPortIsRefused() {
        let doubled = Self.service("198.18.200.5", 80, .tcp, [Self.endpoint("198.18.100.1"), Self.endpoint("198.18.100.1")])
        #expect(throws: ServicePolicyError.duplicateEndpoint(service: doubled.key, endpoint: Self.endpoint("198.18.100.1"))) {
            try ServicePolicy(services: [doubled]).validate(endpointRange: Self.lab)
        }
        let portless = Self.service("198.18.200.6", 0, .tcp, [Self.endpoint("198.18.100.1")])
        #expect(throws: ServicePolicyError.zeroPort(service: portless.key)) {
            try ServicePolicy(services: [portless]).validate(endpointRange: Self.lab)
        }
        let zeroEndpoint = Self.service("198.18.200.7", 80, .tcp, [Self.endpoint("198.18.100.1", 0)])
        #expect(throws: ServicePolicyError.zeroEndpointPort(service: zeroEndpoint.key, endpoint: Self.endpoint("198.18.100.1", 0))) {
            try ServicePolicy(services: [zeroEndpoint]).validate(endpointRange: Self.lab)
        }
    }

    @Test func thePolicyEncodesWithTheScenarioKeys() throws {
        let policy = ServicePolicy(services: [web], withoutEndpoints: .reject)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let text = String(decoding: try encoder.encode(policy), as: UTF8.self)
        #expect(text.contains("\"without_endpoints\":\"reject\""))
        #expect(text.contains("\"protocol\":\"tcp\""))
        #expect(try JSONDecoder().decode(ServicePolicy.self, from: Data(text.utf8)) == policy)
    }
}

@Suite struct ServiceReferenceTests {
    let web = ServicePolicyTests.service("198.18.200.1", 80, .tcp, [ServicePolicyTests.endpoint("198.18.100.1"),
                                                                     ServicePolicyTests.endpoint("198.18.100.2")])
    let empty = ServicePolicyTests.service("198.18.200.3", 80, .tcp, [])

    @Test func aFlowToAVIPBalancesUniformlyOverItsEndpoints() {
        let reference = ServiceReference(ServicePolicy(services: [web]))
        let verdict = reference.verdict(proto: .tcp, destination: web.vip, port: 80)
        #expect(verdict == .balance(to: web.endpoints))
        #expect(verdict.expectedShares == [0.5, 0.5])
        #expect(verdict.allows(reaching: ServicePolicyTests.endpoint("198.18.100.2")))
        #expect(!verdict.allows(reaching: ServicePolicyTests.endpoint("198.18.100.2", 9090)))
        #expect(!verdict.allows(reaching: ServicePolicyTests.endpoint("198.18.100.9")))
    }

    @Test func anythingButTheExactProtocolVIPAndPortIsNotAService() {
        let reference = ServiceReference(ServicePolicy(services: [web]))
        #expect(reference.verdict(proto: .udp, destination: web.vip, port: 80) == .notAService)
        #expect(reference.verdict(proto: .tcp, destination: web.vip, port: 81) == .notAService)
        #expect(reference.verdict(proto: .tcp, destination: IPv4Address("198.18.100.1")!, port: 8080) == .notAService)
        #expect(ServiceVerdict.notAService.expectedShares.isEmpty)
        #expect(!ServiceVerdict.notAService.allows(reaching: ServicePolicyTests.endpoint("198.18.100.1")))
    }

    @Test func aServiceWithoutEndpointsGetsThePolicysVerdict() {
        for verdict in EmptyServiceVerdict.allCases {
            let reference = ServiceReference(ServicePolicy(services: [web, empty], withoutEndpoints: verdict))
            let expected: ServiceVerdict = verdict == .reject ? .reject : .drop
            #expect(reference.verdict(proto: .tcp, destination: empty.vip, port: 80) == expected)
            #expect(reference.verdict(proto: .tcp, destination: web.vip, port: 80) == .balance(to: web.endpoints))
        }
    }
}

@Suite struct ServiceGeneratorTests {
    static let vips = IPv4Prefix("198.19.128.0/17")!
    static let endpoints = IPv4Prefix("198.19.0.0/17")!

    @Test func theSameSeedGivesTheSameServicesAndAnotherSeedOthers() throws {
        let generator = ServiceGenerator(count: 50, endpointsPerService: 2, seed: 42, vipRange: Self.vips, endpointRange: Self.endpoints)
        let first = try generator.policy()
        #expect(try generator.policy() == first)
        var other = generator
        other.seed = 43
        #expect(try other.policy() != first)
        #expect(first.services.count == 50)
        #expect(first.services.allSatisfy { $0.endpoints.count == 2 && $0.port == 80 && $0.proto == .tcp })
        #expect(first.services.allSatisfy { $0.endpoints.allSatisfy { $0.port == 8080 } })
    }

    @Test func generatedPoliciesNeverCollideAndValidate() throws {
        // 30k services × 2 endpoints: the largest sweep point; 60k of a /16's 65534 addresses.
        let endpointRange = IPv4Prefix("198.18.0.0/16")!
        let generator = ServiceGenerator(count: 30_000, endpointsPerService: 2, seed: 1,
                                         vipRange: Self.vips, endpointRange: endpointRange)
        let policy = try generator.policy()
        #expect(Set(policy.services.map(\.vip)).count == 30_000)
        #expect(policy.endpoints.count == 60_000)
        #expect(policy.services.allSatisfy { Self.vips.contains($0.vip) && $0.vip != Self.vips.first && $0.vip != Self.vips.last })
        #expect(policy.endpoints.allSatisfy { endpointRange.contains($0.address) })
        try policy.validate(endpointRange: [IPv4Prefix("198.18.0.0/15")!])
    }

    @Test func aRangeFilledToTheLastUsableAddressStillHasNoDuplicates() throws {
        // A /24 holds 254 usable addresses: all of them, through the shuffle path.
        let generator = ServiceGenerator(count: 127, endpointsPerService: 2, seed: 9,
                                         vipRange: IPv4Prefix("198.18.201.0/24")!, endpointRange: IPv4Prefix("198.18.100.0/24")!)
        let policy = try generator.policy()
        let addresses = policy.endpoints.map(\.address)
        #expect(Set(addresses).count == 254)
        #expect(!addresses.contains(IPv4Address("198.18.100.0")!) && !addresses.contains(IPv4Address("198.18.100.255")!))
    }

    @Test func rangesTooSmallOrOverlappingAreSaidClearly() {
        let small = IPv4Prefix("198.18.100.0/28")!
        #expect(throws: ServiceGenerator.GeneratorError.endpointRangeTooSmall(requested: 20, range: small, capacity: 14)) {
            try ServiceGenerator(count: 10, endpointsPerService: 2, seed: 0, vipRange: Self.vips, endpointRange: small).policy()
        }
        #expect(ServiceGenerator.GeneratorError.endpointRangeTooSmall(requested: 20, range: small, capacity: 14).description
            == "cannot generate 20 endpoints: the endpoint range 198.18.100.0/28 holds 14 usable addresses")
        #expect(throws: ServiceGenerator.GeneratorError.vipRangeTooSmall(requested: 15, range: small, capacity: 14)) {
            try ServiceGenerator(count: 15, endpointsPerService: 1, seed: 0, vipRange: small, endpointRange: Self.endpoints).policy()
        }
        let lab = IPv4Prefix("198.18.0.0/15")!
        #expect(throws: ServiceGenerator.GeneratorError.rangesOverlap(vips: Self.vips, endpoints: lab)) {
            try ServiceGenerator(count: 1, endpointsPerService: 1, seed: 0, vipRange: Self.vips, endpointRange: lab).policy()
        }
    }

    @Test func servicesWithoutEndpointsAreGeneratedAsRejecting() throws {
        let policy = try ServiceGenerator(count: 3, endpointsPerService: 0, seed: 5, vipRange: Self.vips, endpointRange: Self.endpoints).policy()
        #expect(policy.withoutEndpoints == .reject)
        try policy.validate(endpointRange: [Self.endpoints])
        let reference = ServiceReference(policy)
        #expect(reference.verdict(proto: .tcp, destination: policy.services[0].vip, port: 80) == .reject)
    }
}
