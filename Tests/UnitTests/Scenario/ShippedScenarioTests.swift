import Foundation
import LabBackends
import LabNetwork
import LabPolicy
import LabTraffic
import Testing
@testable import LabScenario

extension ScenarioTests {
    @Suite("Shipped scenarios")
    struct ShippedScenarios {
        func load(_ name: String) throws -> Scenario {
            try ScenarioParser.parse(fileAt: ScenarioFixtures.shippedDirectory.appendingPathComponent("\(name).yaml").path)
        }

        @Test func quickParsesToTheDocumentedModel() throws {
            let scenario = try load("quick")
            #expect(scenario.name == "quick")
            #expect(scenario.topology == .preset(.routed))
            // Every stateless backend but the drop-point ladder's extra rungs (the same filters hooked
            // elsewhere, which drop-ladder runs): quick's two-minute budget has no room for them.
            let ladderRungs: [BackendKind] = [.iptablesRaw, .iptablesNotrack, .nftablesPrerouting, .nftablesIngress]
            #expect(scenario.backends == BackendKind.allCases.filter { !$0.tracksConnections && !$0.onlyTranslates && !ladderRungs.contains($0) })
            #expect(scenario.repeats == 1)
            #expect(scenario.warmup == 0)
            #expect(scenario.parameters == [Parameter(name: "rules", values: ["10", "1000", "10000"])])
            #expect(scenario.variants.map { $0.policy.rules.count } == [11, 1001, 10001])
            let first = try #require(scenario.variants.first)
            #expect(first.policy.defaultAction == .allow)
            #expect(first.policy.rules.last == Rule(action: .deny, proto: .tcp, destinationPorts: PortRange(6000, 6010)))
            #expect(first.policy.rules.dropLast().allSatisfy { $0.action == .deny && $0.source?.length == 32 })
            #expect(first.workloads == [
                Workload(ThroughputWorkload(name: "tcp-throughput", proto: .tcp, durationSeconds: 2)),
                Workload(PacketRateWorkload(name: "udp-packet-rate", payloadBytes: 18, durationSeconds: 0.5, deniedShare: 0.25)),
                Workload(LatencyWorkload(name: "udp-latency", proto: .udp, payloadBytes: 64, count: 3000, durationSeconds: 0.3)),
            ])
            #expect(scenario.sourceText.hasPrefix("# The default job"))
        }

        @Test func ciSmokeParsesToTheDocumentedModel() throws {
            let scenario = try load("ci-smoke")
            #expect(scenario.name == "ci-smoke")
            #expect(scenario.topology == .preset(.routed))
            #expect(scenario.backends == [.none, .nftables, .xdp])
            #expect(scenario.repeats == 1)
            #expect(scenario.warmup == 0)
            let variant = try #require(scenario.variants.first)
            #expect(scenario.variants.count == 1)
            #expect(variant.policy.rules.count == 21)
            #expect(variant.workloads.map(\.name) == ["tcp-throughput", "udp-packet-rate", "udp-latency", "tcp-connect"])
        }

        @Test func dropLadderRunsEveryRungOnTheFloodsLastRule() throws {
            let scenario = try load("drop-ladder")
            #expect(scenario.topology == .preset(.pair))
            #expect(scenario.hostConntrack)
            #expect(scenario.backends == [.none, .iptablesLegacy, .iptablesNotrack, .iptablesRaw, .nftables, .nftablesPrerouting,
                                          .nftablesIngress, .tc, .xdp])
            #expect(scenario.parameters == [Parameter(name: "rules", values: ["1", "10000"])])
            let flood = try #require(IPv4Prefix("198.19.255.0/24"))
            for variant in scenario.variants {
                // The flood's rule is last, and no generated rule catches a flood source before it.
                #expect(variant.policy.rules.last == Rule(action: .deny, source: flood))
                #expect(variant.policy.rules.dropLast().allSatisfy { rule in rule.source.map { !flood.contains($0) && !$0.contains(flood) } ?? false })
                let workload = try #require(variant.workloads.first?.as(PacketRateWorkload.self))
                #expect(workload.deniedShare == 1 && workload.deniedFrom == flood && workload.receiveCPU == 1 && workload.openLoop)
            }
            #expect(scenario.variants.map { $0.policy.rules.count } == [2, 10001])
        }

        @Test func floodGoodputOffersEveryBackendTheSameFlood() throws {
            let scenario = try load("flood-goodput")
            #expect(scenario.topology == .preset(.pair))
            #expect(scenario.backends == [.none, .iptablesLegacy, .iptablesIpset, .nftables, .nftablesIngress, .tc, .xdp])
            let rates = scenario.variants.compactMap { $0.workloads.first?.as(FloodGoodputWorkload.self) }.map(\.floodRate)
            #expect(rates == [0, 10_000, 30_000, 100_000, 300_000, 1_000_000])
            let flood = try #require(IPv4Prefix("198.19.255.0/24"))
            for variant in scenario.variants {
                #expect(variant.policy.rules.count == 10_001 && variant.policy.rules.last == Rule(action: .deny, source: flood))
                let workload = try #require(variant.workloads.first?.as(FloodGoodputWorkload.self))
                #expect(workload.deniedFrom == flood && workload.receiveCPU == 1)
            }
        }

        /// Traffic time alone (every case, every round) must leave most of the budget for topology setup,
        /// tool start-up and teardown: quick has 2 minutes, ci-smoke 30 seconds.
        @Test(arguments: [("quick", 60.0), ("ci-smoke", 10.0)])
        func trafficFitsTheTimeBudget(name: String, trafficSeconds: Double) throws {
            let scenario = try load(name)
            let rounds = Double(scenario.repeats + scenario.warmup)
            let perRound = scenario.cases().flatMap(\.variant.workloads).map(\.nominalSeconds).reduce(0, +)
            #expect(perRound * rounds <= trafficSeconds)
        }
    }
}

extension Workload {
    /// How long the workload drives traffic when nothing cuts it short.
    var nominalSeconds: Double {
        if let w = self.as(ThroughputWorkload.self) { return Double(w.durationSeconds) }
        if let w = self.as(LatencyWorkload.self) { return w.durationSeconds }
        if let w = self.as(ConnectWorkload.self) { return w.durationSeconds }
        if let w = self.as(PacketRateWorkload.self) { return w.durationSeconds }
        // A kind this test does not know yet: its upper bound keeps the budget check honest.
        return maximumSeconds
    }
}
