import LabTraffic
import Testing
@testable import LabScenario

extension ScenarioTests {
    @Suite("Packet-rate workload")
    struct PacketRate {
        @Test func omittedKeysTakeTheDocumentedDefaults() throws {
            #expect(try firstVariantWorkloads("workloads: [{type: packet-rate}]\n") == [
                Workload(PacketRateWorkload(name: "udp-packet-rate", payloadBytes: 18, durationSeconds: 5,
                                               packetsPerSecond: 0, deniedShare: 0)),
            ])
        }

        @Test func everyKeyIsRead() throws {
            let read = try firstVariantWorkloads("""
                workloads:
                  - {type: packet-rate, name: drops, size: 1472, duration: 250ms, rate: 250k, denied_share: 0.5}
                  - {type: packet-rate, size: 1K, duration: 10m, rate: 1M, denied_share: 1}
                  - {type: packet-rate, name: plain, rate: 120000, denied_share: .25}
                """)
            #expect(read == [
                Workload(PacketRateWorkload(name: "drops", payloadBytes: 1472, durationSeconds: 0.25, packetsPerSecond: 250_000,
                                               deniedShare: 0.5)),
                Workload(PacketRateWorkload(name: "udp-packet-rate", payloadBytes: 1024, durationSeconds: 600,
                                               packetsPerSecond: 1_000_000, deniedShare: 1)),
                Workload(PacketRateWorkload(name: "plain", packetsPerSecond: 120_000, deniedShare: 0.25)),
            ])
            #expect(read.first?.kind == "packet-rate")
            #expect(read.first?.settings == "size=1472B rate=250000pps denied_share=0.5 duration=250ms")
            #expect(read[2].settings == "size=18B rate=120000pps denied_share=0.25 duration=5s")
            #expect(read[1].settings == "size=1024B rate=1000000pps denied_share=1 duration=600s")
        }

        @Test func sizeRateAndShareCanBeSwept() throws {
            let scenario = try ScenarioParser.parse(text: scenarioText("""
                parameters:
                  share: [0, 0.5]
                  size: [18, 1472]
                workloads:
                  - {type: packet-rate, size: "${size}", rate: "${size}k", denied_share: "${share}"}
                """), path: "sweep.yaml")
            let read = scenario.variants.compactMap { variant -> PacketRateWorkload? in
                guard let w = variant.workloads.first?.as(PacketRateWorkload.self) else { return nil }
                return w
            }
            #expect(read.map(\.deniedShare) == [0, 0, 0.5, 0.5])
            #expect(read.map(\.payloadBytes) == [18, 1472, 18, 1472])
            #expect(read.map(\.packetsPerSecond) == [18_000, 1_472_000, 18_000, 1_472_000])
            #expect(Set(read.map(\.name)) == ["udp-packet-rate"])
        }

        @Test func badValuesAreReportedWhereTheyAre() {
            #expect(diagnostics(of: scenarioText("""
                workloads:
                  - type: packet-rate
                    size: 1473
                    duration: 50ms
                    rate: fast
                    denied_share: 1.5
                  - type: packet-rate
                    name: b
                    size: 0
                    duration: 11m
                    rate: 200M
                    denied_share: half
                  - {type: packet-rate, name: c, denied_share: "0.5", rate: -5, size: 1.5K}
                  - {type: packet-rate, name: d, denied_share: -0.1, protocol: udp}
                """)) == [
                "test.yaml:6:11: 'size' must be between 1 and 1472 bytes, got 1473",
                "test.yaml:7:15: 'duration' must be between 100ms and 600s, got 50ms",
                "test.yaml:8:11: 'rate' must be 0 (as fast as possible) or packets per second such as 100000, 250k or 1M, got \"fast\"",
                "test.yaml:9:19: 'denied_share' must be between 0 and 1, got 1.5",
                "test.yaml:12:11: 'size' must be between 1 and 1472 bytes, got 0",
                "test.yaml:13:15: 'duration' must be between 100ms and 600s, got 11m",
                "test.yaml:14:11: 'rate' must be at most 100M (packets/s), got 200M",
                "test.yaml:15:19: 'denied_share' must be a number between 0 and 1 such as 0.25, got \"half\"",
                "test.yaml:16:48: 'denied_share' must be a number between 0 and 1 such as 0.25, got \"0.5\" (the quotes make it text)",
                "test.yaml:16:61: 'rate' must be 0 (as fast as possible) or packets per second such as 100000, 250k or 1M, got -5",
                "test.yaml:16:71: 'size' must be a size in bytes such as 64, 128K or 1M, got \"1.5K\"",
                "test.yaml:17:54: 'protocol' does not apply to packet-rate workloads",
            ])
        }

        @Test func openLoopIsReadAndChecked() throws {
            let read = try firstVariantWorkloads("workloads: [{type: packet-rate, open_loop: true}]\n")
            #expect(read.first?.as(PacketRateWorkload.self)?.openLoop == true)
            #expect(try firstVariantWorkloads("workloads: [{type: packet-rate}]\n").first?.as(PacketRateWorkload.self)?.openLoop == false)
            #expect(diagnostics(of: scenarioText("workloads: [{type: packet-rate, open_loop: yes}]\n")) == [
                "test.yaml:4:44: 'open_loop' must be true or false, got \"yes\"",
            ])
        }

        @Test func aNegativeShareIsNotANumberInRange() {
            #expect(diagnostics(of: scenarioText("workloads: [{type: packet-rate, denied_share: -0.1}]\n")) == [
                "test.yaml:4:47: 'denied_share' must be a number between 0 and 1 such as 0.25, got -0.1",
            ])
        }

        @Test func aMisspelledTypeIsSuggested() {
            #expect(diagnostics(of: scenarioText("workloads: [{type: packet_rate}]\n")) == [
                "test.yaml:4:20: unknown workload type 'packet_rate' (did you mean 'packet-rate'?)",
            ])
        }

        @Test(arguments: [("0", 0), ("250000", 250_000), ("250k", 250_000), ("2M", 2_000_000), ("2m", 2_000_000)])
        func packetRates(text: String, packetsPerSecond: Int) {
            #expect(PacketRateText.packetsPerSecond(text) == packetsPerSecond)
        }

        @Test(arguments: ["", "k", "1.5k", "-1", "10G", "1 k", "fast"])
        func invalidPacketRates(text: String) {
            #expect(PacketRateText.packetsPerSecond(text) == nil)
        }

        @Test(arguments: [("0", 0.0), ("1", 1.0), ("0.25", 0.25), (".5", 0.5), ("1.", 1.0)])
        func decimals(text: String, value: Double) {
            #expect(PacketRateText.decimal(text) == value)
        }

        @Test(arguments: ["", ".", "1e-3", "nan", "inf", "-0.5", "0.5.1", "½"])
        func invalidDecimals(text: String) {
            #expect(PacketRateText.decimal(text) == nil)
        }
    }
}
