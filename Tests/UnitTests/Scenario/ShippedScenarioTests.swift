import Foundation
import LabPolicy
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
            #expect(scenario.topology == .routed)
            #expect(scenario.backends == [.none])
            #expect(scenario.repeats == 3)
            #expect(scenario.warmup == 1)
            #expect(scenario.parameters.isEmpty)
            #expect(scenario.variants == [Variant(point: [], workloads: [
                .throughput(ThroughputWorkload(name: "tcp-throughput", proto: .tcp, durationSeconds: 2)),
                .throughput(ThroughputWorkload(name: "udp-throughput", proto: .udp, durationSeconds: 2, messageBytes: 1400,
                                               bitrateBitsPerSecond: 0)),
                .latency(LatencyWorkload(name: "udp-latency", proto: .udp, payloadBytes: 64, count: 20_000, durationSeconds: 2)),
                .latency(LatencyWorkload(name: "tcp-latency", proto: .tcp, payloadBytes: 64, count: 20_000, durationSeconds: 2)),
                .connect(ConnectWorkload(name: "tcp-connect", count: 2000, durationSeconds: 2)),
            ], policy: .allowAll)])
            #expect(scenario.sourceText.hasPrefix("# The default job"))
        }

        @Test func ciSmokeParsesToTheDocumentedModel() throws {
            let scenario = try load("ci-smoke")
            #expect(scenario.name == "ci-smoke")
            #expect(scenario.topology == .routed)
            #expect(scenario.backends == [.none])
            #expect(scenario.repeats == 1)
            #expect(scenario.warmup == 0)
            #expect(scenario.variants == [Variant(point: [], workloads: [
                .throughput(ThroughputWorkload(name: "tcp-throughput", proto: .tcp, durationSeconds: 1)),
                .latency(LatencyWorkload(name: "udp-latency", proto: .udp, count: 2000, durationSeconds: 1)),
                .connect(ConnectWorkload(name: "tcp-connect", count: 200, durationSeconds: 1)),
            ], policy: .allowAll)])
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
        switch self {
        case .throughput(let w): return Double(w.durationSeconds)
        case .latency(let w): return w.durationSeconds
        case .connect(let w): return w.durationSeconds
        case .packetRate(let w): return w.durationSeconds
        }
    }
}
