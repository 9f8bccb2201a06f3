import LabNetwork
import LabTraffic
import Testing
@testable import LabScenario

extension ScenarioTests {
    @Suite("Flood-goodput workload")
    struct FloodGoodput {
        @Test func omittedKeysTakeTheDocumentedDefaults() throws {
            let read = try firstVariantWorkloads("workloads: [{type: flood-goodput, flood_share: 0.5}]\n")
            #expect(read == [Workload(FloodGoodputWorkload(name: "flood-goodput", floodShare: 0.5, durationSeconds: 2, payloadBytes: 18,
                                                           rrPayloadBytes: 64, deniedFrom: nil, receiveCPU: nil))])
            #expect(read.first?.kind == "flood-goodput")
            #expect(read.first?.settings
                    == "flood_share=0.5 size=18B payload=64B duration=2s cpus: flood+rr-client=cpu0 receive-path unsteered (veth: the sender's CPU)")
        }

        @Test func everyKeyIsRead() throws {
            let read = try firstVariantWorkloads("""
                workloads:
                  - {type: flood-goodput, name: gp, flood_share: 1, duration: 500ms, size: 64, payload: 128,
                     denied_from: 198.19.255.0/24, receive_cpu: 1}
                """)
            #expect(read == [Workload(FloodGoodputWorkload(name: "gp", floodShare: 1, durationSeconds: 0.5, payloadBytes: 64,
                                                           rrPayloadBytes: 128, deniedFrom: IPv4Prefix("198.19.255.0/24"),
                                                           receiveCPU: 1))])
            #expect(read.first?.settings == "flood_share=1 size=64B payload=128B duration=500ms denied_from=198.19.255.0/24 "
                    + "cpus: flood+rr-client=cpu0 receive-path+sink+rr-server=cpu1")
        }

        @Test func anAbsoluteRateInsteadOfAShare() throws {
            let read = try firstVariantWorkloads("workloads: [{type: flood-goodput, flood_rate: 30k, receive_cpu: 1}]\n")
            let workload = try #require(read.first?.as(FloodGoodputWorkload.self))
            #expect(workload.floodRate == 30_000)
            #expect(workload.settings.hasPrefix("flood_rate=30000pps size=18B"))
            #expect(diagnostics(of: scenarioText("workloads: [{type: flood-goodput, flood_share: 0.5, flood_rate: 1000}]\n")) == [
                "test.yaml:4:53: give flood_share or flood_rate, not both",
            ])
        }

        @Test func theShareCanBeSwept() throws {
            let scenario = try ScenarioParser.parse(text: scenarioText("""
                parameters:
                  share: [0, 0.25, 1]
                workloads:
                  - {type: flood-goodput, flood_share: "${share}", receive_cpu: 1}
                """), path: "sweep.yaml")
            let shares = scenario.variants.compactMap { $0.workloads.first?.as(FloodGoodputWorkload.self)?.floodShare }
            #expect(shares == [0, 0.25, 1])
        }

        @Test func badValuesAreReportedWhereTheyAre() {
            #expect(diagnostics(of: scenarioText("""
                workloads:
                  - type: flood-goodput
                    duration: 50ms
                  - type: flood-goodput
                    name: b
                    flood_share: 1.5
                    size: 1473
                    payload: 0
                    receive_cpu: 0
                  - {type: flood-goodput, name: c, flood_share: half, denied_from: 198.19.255.1/24}
                  - {type: flood-goodput, name: d, flood_share: 0, rate: 5}
                """)) == [
                "test.yaml:5:5: flood-goodput needs flood_share (a share of the generator's ceiling) or flood_rate (packets/s)",
                "test.yaml:6:15: 'duration' must be between 100ms and 600s, got 50ms",
                "test.yaml:9:18: 'flood_share' must be between 0 and 1, got 1.5",
                "test.yaml:10:11: 'size' must be between 1 and 1472 bytes, got 1473",
                "test.yaml:11:14: 'payload' must be between 1 and 1472 bytes, got 0",
                "test.yaml:12:18: receive_cpu must differ from the flood's CPU (0): the point is to move the receive path off the generator's CPU",
                "test.yaml:13:49: 'flood_share' must be a number between 0 and 1 such as 0.25, got \"half\"",
                "test.yaml:13:68: 'denied_from' 198.19.255.1/24 has host bits set (did you mean 198.19.255.0/24?)",
                "test.yaml:14:52: 'rate' does not apply to flood-goodput workloads",
            ])
        }
    }
}
