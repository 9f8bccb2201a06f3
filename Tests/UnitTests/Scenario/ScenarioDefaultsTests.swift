import LabNetwork
import LabPolicy
import LabTraffic
import Testing
@testable import LabScenario

extension ScenarioTests {
    @Suite("Scenario defaults and values")
    struct DefaultsAndValues {
        @Test func omittedKeysTakeTheDocumentedDefaults() throws {
            let scenario = try ScenarioParser.parse(text: scenarioText("""
                workloads:
                  - type: throughput
                    protocol: udp
                  - type: latency
                    protocol: tcp
                  - type: connect
                """), path: "t.yaml")
            #expect(scenario.topology == .preset(.routed))
            #expect(scenario.repeats == 3)
            #expect(scenario.warmup == 1)
            #expect(scenario.parameters == [])
            #expect(scenario.sourcePath == "t.yaml")
            #expect(scenario.variants == [Variant(point: [], workloads: [
                Workload(ThroughputWorkload(name: "udp-throughput", proto: .udp, streams: 1, durationSeconds: 5,
                                               messageBytes: nil, bitrateBitsPerSecond: 0)),
                Workload(LatencyWorkload(name: "tcp-latency", proto: .tcp, payloadBytes: 64, count: 10_000, durationSeconds: 5)),
                Workload(ConnectWorkload(name: "tcp-connect", count: 2000, durationSeconds: 5)),
            ], policy: .allowAll)])
        }

        @Test func policyDefaults() throws {
            let scenario = try ScenarioParser.parse(text: scenarioText("""
                policy:
                  rules:
                    - action: deny
                  generate:
                    count: 5
                workloads:
                  - type: connect
                """), path: "t.yaml")
            let generated = try RuleGenerator(count: 5, seed: 1, action: .deny, pool: AddressPlan.clientPool, lengths: [32]).rules()
            #expect(scenario.variants.map(\.policy) == [Policy(rules: generated + [Rule(action: .deny)], defaultAction: .allow)])
        }

        @Test func everyKeyIsRead() throws {
            let scenario = try ScenarioParser.parse(text: """
                name: full-1
                description: >
                  Folded onto one line.
                topology: pair
                backends: [nftables, xdp, iptables-ipset]
                repeat: 7
                warmup: 0
                policy:
                  default: deny
                  rules:
                    - {action: allow, proto: tcp, src: 198.19.0.0/16, dst: 198.18.1.1, dport: 5201}
                    - {action: allow, proto: udp, dport: 8000-8080}
                  generate:
                    count: 3
                    action: allow
                    seed: 42
                    lengths: [24, 32]
                    proto: udp
                    dport: 53
                    pool: [198.19.0.0/16]
                workloads:
                  - {type: throughput, name: bulk, protocol: udp, streams: 4, duration: 2m, message_size: 8k, bitrate: 10G}
                  - {type: latency, protocol: udp, payload: 1K, count: 500, duration: 500ms}
                  - {type: connect, count: 10, duration: 7}
                """, path: "full.yaml")
            #expect(scenario.description == "Folded onto one line.")
            #expect(scenario.topology == .preset(.pair))
            #expect(scenario.backends == [.nftables, .xdp, .iptablesIpset])
            #expect((scenario.repeats, scenario.warmup) == (7, 0))
            let generated = try RuleGenerator(count: 3, seed: 42, action: .allow, pool: [IPv4Prefix("198.19.0.0/16")!],
                                              lengths: [24, 32], proto: .udp, destinationPorts: PortRange(port: 53)).rules()
            let explicit = [
                Rule(action: .allow, source: IPv4Prefix("198.19.0.0/16"), destination: IPv4Prefix("198.18.1.1/32"),
                     proto: .tcp, destinationPorts: PortRange(port: 5201)),
                Rule(action: .allow, proto: .udp, destinationPorts: PortRange(8000, 8080)),
            ]
            #expect(scenario.variants.map(\.policy) == [Policy(rules: generated + explicit, defaultAction: .deny)])
            #expect(scenario.variants.first?.workloads == [
                Workload(ThroughputWorkload(name: "bulk", proto: .udp, streams: 4, durationSeconds: 120, messageBytes: 8192,
                                               bitrateBitsPerSecond: 10_000_000_000)),
                Workload(LatencyWorkload(name: "udp-latency", proto: .udp, payloadBytes: 1024, count: 500, durationSeconds: 0.5)),
                Workload(ConnectWorkload(name: "tcp-connect", count: 10, durationSeconds: 7)),
            ])
        }

        @Test(arguments: [("5s", 5_000), ("500ms", 500), ("2m", 120_000), ("7", 7_000), ("0", 0)])
        func durations(text: String, milliseconds: Int) {
            #expect(Quantity.milliseconds(text) == milliseconds)
        }

        @Test(arguments: ["", "s", "5 s", "1.5s", "5h", "-5s", "5S"])
        func invalidDurations(text: String) {
            #expect(Quantity.milliseconds(text) == nil)
        }

        @Test(arguments: [("64", 64), ("128K", 131_072), ("128k", 131_072), ("1M", 1_048_576), ("1g", 1_073_741_824)])
        func sizes(text: String, bytes: Int) {
            #expect(Quantity.bytes(text) == bytes)
        }

        @Test(arguments: [("0", 0), ("100k", 100_000), ("500M", 500_000_000), ("10G", 10_000_000_000), ("1200", 1200)])
        func bitRates(text: String, bitsPerSecond: Int) {
            #expect(Quantity.bitsPerSecond(text) == bitsPerSecond)
        }

        @Test func hugeNumbersSaturateSoRangeChecksRejectThem() {
            #expect(Quantity.bytes("99999999999999999999K") == Int.max)
            #expect(Quantity.milliseconds("9999999999999999m") == Int.max)
        }
    }
}
