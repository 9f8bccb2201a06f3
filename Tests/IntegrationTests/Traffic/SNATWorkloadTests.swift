import Foundation
import LabNetwork
import LabPolicy
import LabResults
import LabSystem
import LabTestSupport
import LabTopology
import LabTraffic
import Testing

extension KernelTests {
    /// The SNAT workloads on a routed lab (no SNAT backend exists here yet): the ramp against `none`
    /// with a small range given by the override, against a test-owned nft masquerade with that range
    /// (the exhaustion is real), and masquerade-delay against `none`.
    @Suite("SNAT workloads between lab namespaces")
    struct SNATWorkloadTests {
        func withLab<T>(_ body: (Topology, TrafficContext) throws -> T) throws -> T {
            try withTestJournal("snat-workloads") { journal in
                let topology = try TopologyBuilder.up(.routed, journal: journal)
                let scratch = try TestEnvironment.temporaryDirectory("snat-workloads")
                defer { try? FileManager.default.removeItem(atPath: scratch) }
                return try body(topology, TrafficContext(topology: topology, scratchDirectory: scratch,
                                                         agentExecutable: TestEnvironment.benchlabBinary))
            }
        }

        /// TCP sockets to or from the ramp's port in `namespace` (the agents' descriptors are gone when 0).
        func socketsOnRampPort(_ namespace: String) throws -> Int {
            let result = try Subprocess.run(Command("ss", ["-Htan", "( sport = :7008 or dport = :7008 )"]).inNamespace(namespace), timeout: 5)
            try result.requireSuccess("ss")
            return result.stdout.split(whereSeparator: \.isNewline).filter { !$0.contains("TIME-WAIT") }.count
        }

        func sample(_ m: WorkloadMeasurement, _ name: String) -> Double? { m.samples.first { $0.metric == name }?.value }

        @Test("the ramp opens and holds every counted connection, then releases them all: no socket left on either side")
        func rampHoldsAndReleases() throws {
            try withLab { topology, context in
                let workload = SNATExhaustionWorkload(pods: 8, range: 64, recoveryTimeoutSeconds: 5)
                let m = try workload.measure(in: context, filter: .unfiltered, window: .unobserved)
                #expect(sample(m, "connections_held") == 70, "1.1 × 64, none failed without a NAT")
                #expect(sample(m, "connections_failed") == 0 && sample(m, "snat_fail_ratio") == 0)
                #expect(m.series.first { $0.name == "snat_attempted" }?.y == [32, 6, 7, 6, 7, 6, 6])
                #expect(m.series.first { $0.name == "snat_occupancy_after" }?.y.last == 70.0 / 64)
                #expect(sample(m, "recovered") == 1)
                #expect(try socketsOnRampPort(topology.client) == 0)
                #expect(try socketsOnRampPort(topology.server) == 0)
            }
        }

        @Test("through a masquerade with 64 ports the ramp holds 64 and every attempt past the range fails",
              .enabled(if: ToolLocator.exists("nft"), "nft is not installed"))
        func rampExhaustsAMasquerade() throws {
            try withLab { topology, context in
                let rules = """
                    table ip bltest {
                      chain post {
                        type nat hook postrouting priority srcnat; policy accept;
                        tcp dport 7008 masquerade to :20000-20063
                      }
                    }

                    """
                try Subprocess.run(Command("nft", ["-f", "-"]).inNamespace(topology.filterPoint.namespace), input: rules)
                    .requireSuccess("load test nat table")
                let workload = SNATExhaustionWorkload(pods: 8, range: 64, recoveryTimeoutSeconds: 15)
                let m = try workload.measure(in: context, filter: .unfiltered, window: .unobserved)
                #expect(sample(m, "connections_held") == 64)
                #expect(sample(m, "connections_failed") == 6, "70 attempted, 64 ports")
                #expect(sample(m, "snat_fail_ratio") == 1, "the top step starts with the range full")
                #expect(try socketsOnRampPort(topology.client) == 0)
            }
        }

        @Test("masquerade-delay against none records the first-connect time per sample and nothing to program")
        func masqueradeDelayWithoutTranslator() throws {
            try withLab { _, context in
                let samples = try MasqueradeDelayWorkload(samples: 2).run(in: context, filter: .unfiltered, window: .unobserved)
                #expect(samples.map(\.metric) == ["first_connect_ms", "first_connect_ms"])
                #expect(samples.allSatisfy { $0.value > 0 && $0.value < 5_000 })
            }
        }
    }
}
