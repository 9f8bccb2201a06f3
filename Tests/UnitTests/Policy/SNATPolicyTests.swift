import Foundation
import LabNetwork
import LabPolicy
import Testing

@Suite struct SNATPolicyTests {
    let e1 = IPv4Address("198.18.4.1")!
    let e2 = IPv4Address("198.18.5.1")!
    var policy: SNATPolicy {
        SNATPolicy(ports: PortRange(20000, 20999)!, egress: [
            EgressRule(sources: [IPv4Prefix("198.18.64.0/24")!], egressIPs: [e1, e2]),
            EgressRule(sources: [IPv4Prefix("198.18.65.0/24")!], egressIPs: [e2]),
        ])
    }

    @Test func theFirstRuleSelectingASourceDecidesAtEachGateway() {
        let pod1 = IPv4Address("198.18.64.10")!
        let pod2 = IPv4Address("198.18.65.10")!
        #expect(EgressReference.verdict(policy, gateway: e1, source: pod1) == .translate(e1))
        #expect(EgressReference.verdict(policy, gateway: e2, source: pod1) == .translate(e2))
        #expect(EgressReference.verdict(policy, gateway: e1, source: pod2) == .drop)
        #expect(EgressReference.verdict(policy, gateway: e2, source: pod2) == .translate(e2))
        #expect(EgressReference.verdict(policy, gateway: e1, source: IPv4Address("198.18.66.1")!) == .drop)
    }

    @Test func aFailedGatewayHandsItsPodsToTheNextEgressIP() {
        let pod1 = IPv4Address("198.18.64.10")!
        #expect(EgressReference.egressIP(policy, source: pod1) == e1)
        #expect(EgressReference.egressIP(policy, source: pod1, failed: [e1]) == e2)
        #expect(EgressReference.egressIP(policy, source: pod1, failed: [e1, e2]) == nil)
        #expect(EgressReference.egressIP(policy, source: IPv4Address("198.18.66.1")!) == nil)
    }

    @Test func egressIPsAreListedOnceInFirstMentionOrder() {
        #expect(policy.egressIPs == [e1, e2])
        #expect(policy.selectedSources.map(\.description) == ["198.18.64.0/24", "198.18.65.0/24"])
    }

    @Test func thePolicyEncodesWithSnakeCaseKeys() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let text = String(decoding: try encoder.encode(policy), as: UTF8.self)
        #expect(text.contains("\"random_fully\":false"))
        #expect(text.contains("\"egress_ips\""))
        #expect(try JSONDecoder().decode(SNATPolicy.self, from: Data(text.utf8)) == policy)
    }
}

@Suite struct PortExhaustionModelTests {
    @Test func failureProbabilityIsTheOccupiedShareToTheTries() {
        #expect(PortExhaustionModel.failureProbability(occupied: 0, range: 1000, tries: 128) == 0)
        #expect(PortExhaustionModel.failureProbability(occupied: 1000, range: 1000, tries: 128) == 1)
        #expect(PortExhaustionModel.failureProbability(occupied: 1200, range: 1000, tries: 128) == 1)
        #expect(abs(PortExhaustionModel.failureProbability(occupied: 500, range: 1000, tries: 1) - 0.5) < 1e-12)
        #expect(abs(PortExhaustionModel.failureProbability(occupied: 990, range: 1000, tries: 128) - pow(0.99, 128)) < 1e-12)
    }

    @Test func expectedFailuresStayNearZeroBelowTheRangeAndGrowPastIt() {
        let half = PortExhaustionModel.expectedFailureShare(attempts: 500, range: 1000, tries: 128)
        #expect(half < 1e-9)
        // 1,100 attempts into 1,000 ports: at least the 100 beyond the range fail.
        let over = PortExhaustionModel.expectedFailureShare(attempts: 1100, range: 1000, tries: 128)
        #expect(over > 100.0 / 1100 - 1e-9)
        #expect(over < 0.2)
        // One try (keep-or-fail) fails far sooner than 128.
        #expect(PortExhaustionModel.expectedFailureShare(attempts: 900, range: 1000, tries: 1) > 0.1)
        #expect(PortExhaustionModel.expectedFailureShare(attempts: 0, range: 1000, tries: 128) == 0)
    }
}

@Suite struct SNATGatewayShareTests {
    @Test func aGatewaysShareTranslatesItsRulesAndDropsTheOthers() {
        let e1 = IPv4Address("198.18.4.1")!, e2 = IPv4Address("198.18.5.1")!
        let policy = SNATPolicy(mode: .snat, ports: PortRange(1024, 2047)!, egress: [
            EgressRule(sources: [IPv4Prefix("198.18.64.0/24")!], egressIPs: [e1]),
            EgressRule(sources: [IPv4Prefix("198.18.65.0/24")!], egressIPs: [e2, e1]),
            EgressRule(sources: [IPv4Prefix("198.18.66.0/24")!], egressIPs: [e2]),
        ]).at(gateway: e1)
        #expect(policy.gateway == e1)
        #expect(policy.gatewayVerdicts.map(\.verdict) == [.translate(e1), .translate(e1), .drop])
    }
}
