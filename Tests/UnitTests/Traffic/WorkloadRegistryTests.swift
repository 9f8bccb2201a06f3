import LabNetwork
import LabTraffic
import Testing

@Suite("Workload registry")
struct WorkloadRegistryTests {
    @Test("kinds are unique, each kind's keys are unique and its defaults lie in their own ranges")
    func declarations() {
        let kinds = WorkloadRegistry.all.map { $0.kind }
        #expect(kinds == ["throughput", "latency", "connect", "packet-rate", "connections", "conntrack-gc", "flood-goodput",
                           "snat-exhaustion", "masquerade-delay", "egress-failover"])
        for definition in WorkloadRegistry.all {
            let keys = definition.fields.map(\.key)
            #expect(Set(keys).count == keys.count, "\(definition.kind) declares a key twice")
            #expect(!keys.contains("type") && !keys.contains("name"), "\(definition.kind): type and name are every kind's")
            for field in definition.fields {
                guard case .defaulted(let value) = field.presence else { continue }
                #expect(Self.fits(value, field.kind), "\(definition.kind).\(field.key): default \(value) outside \(field.kind)")
            }
        }
    }

    static func fits(_ value: WorkloadValue, _ kind: WorkloadField.Kind) -> Bool {
        switch (kind, value) {
        case (.integer(let range), .integer(let v)), (.bytes(let range), .integer(let v)), (.milliseconds(let range, _), .integer(let v)):
            return range.contains(v)
        case (.bitsPerSecond, .integer(let v)), (.packetsPerSecond, .integer(let v)): return v >= 0
        case (.share, .number(let v)): return (0...1).contains(v)
        case (.number(let range), .number(let v)): return range.contains(v)
        case (.boolean, .boolean): return true
        default: return false
        }
    }

    @Test("the defaults build the workloads the scenario documentation promises")
    func defaultsBuild() {
        func defaults(_ definition: any WorkloadDefinition.Type, _ extra: [String: WorkloadValue] = [:]) -> WorkloadValues {
            var values = WorkloadValues()
            for field in definition.fields { if case .defaulted(let value) = field.presence { values.values[field.key] = value } }
            values.values.merge(extra) { $1 }
            return values
        }
        #expect(Workload(ThroughputWorkload(values: defaults(ThroughputWorkload.self, ["protocol": .transport(.udp)])))
                == Workload(ThroughputWorkload(name: "udp-throughput", proto: .udp)))
        #expect(Workload(LatencyWorkload(values: defaults(LatencyWorkload.self, ["protocol": .transport(.tcp)])))
                == Workload(LatencyWorkload(name: "tcp-latency", proto: .tcp)))
        #expect(Workload(ConnectWorkload(values: defaults(ConnectWorkload.self))) == Workload(ConnectWorkload(name: "tcp-connect")))
        #expect(Workload(PacketRateWorkload(values: defaults(PacketRateWorkload.self))) == Workload(PacketRateWorkload()))
    }

    @Test("run.json's kind and settings strings are unchanged")
    func recordStrings() {
        let udp = Workload(ThroughputWorkload(name: "bulk", proto: .udp, streams: 2, durationSeconds: 3, messageBytes: 1400))
        #expect(udp.kind == "throughput")
        #expect(udp.settings == "protocol=udp streams=2 duration=3s message=1400B bitrate=unlimited")
        #expect(udp.requiredTools == ["iperf3"])
        let rr = Workload(LatencyWorkload(name: "rr", proto: .tcp, durationSeconds: 0.25))
        #expect(rr.settings == "protocol=tcp payload=64B count=10000 duration=250ms")
        #expect(rr.requiredTools.isEmpty && rr.maximumSeconds == 5.25)
        #expect(Workload(ConnectWorkload(name: "c")).settings == "count=2000 duration=5s")
        let pr = Workload(PacketRateWorkload(packetsPerSecond: 1000, deniedShare: 0.25))
        #expect(pr.kind == "packet-rate")
        #expect(pr.settings == "size=18B rate=1000pps denied_share=0.25 duration=5s")
    }

    @Test("a renamed workload keeps its kind and settings; equality sees the kind")
    func renaming() {
        let original = Workload(ConnectWorkload(name: "tcp-connect", count: 10))
        let renamed = original.renamed("handshakes")
        #expect(renamed.name == "handshakes" && renamed.settings == original.settings)
        #expect(renamed != original)
        #expect(renamed.as(ConnectWorkload.self)?.count == 10)
        #expect(renamed.as(LatencyWorkload.self) == nil)
    }

    @Test("throughput's cross-field checks: UDP datagram size, TCP bitrate")
    func conflicts() {
        let udp = WorkloadValues(values: ["protocol": .transport(.udp), "message_size": .integer(70_000)], texts: ["message_size": "70000"])
        #expect(ThroughputWorkload.conflicts(in: udp).map(\.key) == ["message_size"])
        let tcp = WorkloadValues(values: ["protocol": .transport(.tcp)], written: ["bitrate"])
        #expect(ThroughputWorkload.conflicts(in: tcp) == [WorkloadFieldIssue(key: "bitrate", at: .key, "'bitrate' applies only to UDP throughput")])
        #expect(ThroughputWorkload.conflicts(in: WorkloadValues(values: ["protocol": .transport(.udp)], written: ["bitrate"])).isEmpty)
    }
}
