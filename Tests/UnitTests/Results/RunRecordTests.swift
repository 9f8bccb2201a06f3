import Foundation
import LabIPAM
import LabNetwork
import LabResults
import LabSystem
import Testing

@Suite("run.json")
struct RunRecordTests {
    static func sample() -> RunRecord {
        var record = RunRecord(runId: "abc123", benchlab: ToolInfo(version: "0.1.0", gitRevision: "deadbeef"),
                               startedAt: "2026-11-26T17:00:00.000Z",
                               scenario: ScenarioRecord(name: "quick", description: "d", sourcePath: "scenarios/quick.yaml",
                                                        sourceText: "name: quick\n", topology: "routed", backends: ["none"],
                                                        repeats: 1, warmup: 0, parameters: [ParameterRecord(name: "rules", values: ["1", "10"])],
                                                        workloads: [WorkloadRecord(name: "tcp-throughput", kind: "throughput", settings: "protocol=tcp")]),
                               environment: EnvironmentRecord(hostname: "vm", kernel: "6.18", cpuModel: "cpu", cpus: 2, memoryBytes: 1 << 30,
                                                              tools: ["iperf3": "iperf 3.12"], sysctls: ["net.core.bpf_jit_enable": "1"]))
        record.cases = [CaseRecord(id: "none[rules=1]", backend: "none", family: .baseline, parameters: ["rules": "1"],
                                   repeats: [RepeatRecord(index: 0, warmup: false, startedAt: "2026-11-26T17:00:01.000Z",
                                                          samples: [Sample(workload: "tcp-throughput", metric: "throughput_gbps", value: 18.5)],
                                                          phases: [PhaseRecord(name: PhaseRecord.topology, milliseconds: 120.5),
                                                                   PhaseRecord(name: PhaseRecord.traffic("tcp-throughput"), milliseconds: 2000)])]),
                        CaseRecord(id: "none[rules=10]", backend: "none", family: .baseline, parameters: ["rules": "10"], status: .failed,
                                   reason: "round 1: boom", repeats: [RepeatRecord(index: 0, warmup: false, startedAt: "x", failure: "boom")])]
        record.status = .complete
        return record
    }

    @Test("round trip keeps every field")
    func roundTrip() throws {
        let record = Self.sample()
        #expect(try RunRecordCoding.decode(try RunRecordCoding.encode(record)) == record)
    }

    @Test("keys are snake_case and stable")
    func keys() throws {
        let text = String(decoding: try RunRecordCoding.encode(Self.sample()), as: UTF8.self)
        for key in ["\"run_id\"", "\"started_at\"", "\"git_revision\"", "\"source_text\"", "\"cpu_model\"", "\"memory_bytes\"", "\"repeat\" : 1"] {
            #expect(text.contains(key), "missing \(key)")
        }
        #expect(text.hasPrefix("{\n  \"benchlab\""))
    }

    @Test("counted samples skip warm-ups and failed repeats")
    func counted() {
        let record = CaseRecord(id: "x", backend: "none", family: .baseline, parameters: [:], repeats: [
            RepeatRecord(index: 0, warmup: true, startedAt: "", samples: [Sample(workload: "w", metric: "m", value: 1)]),
            RepeatRecord(index: 1, warmup: false, startedAt: "", samples: [Sample(workload: "w", metric: "m", value: 2)]),
            RepeatRecord(index: 2, warmup: false, startedAt: "", samples: [Sample(workload: "w", metric: "m", value: 3)], failure: "x"),
        ])
        #expect(record.countedSamples.map(\.value) == [2])
    }

    @Test("loading reports a missing file, a non-run file and another schema distinctly")
    func loadErrors() throws {
        let directory = NSTemporaryDirectory() + "bl-runrecord-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(throws: RunRecordError.missing(path: "\(directory)/run.json")) { _ = try RunRecordCoding.load(path: directory) }
        try "{}".write(toFile: "\(directory)/run.json", atomically: true, encoding: .utf8)
        #expect(throws: RunRecordError.self) { _ = try RunRecordCoding.load(path: directory) }
        var other = Self.sample()
        other.schema = "benchlab.run/0"
        try RunRecordCoding.encode(other).write(to: URL(fileURLWithPath: "\(directory)/run.json"))
        #expect(throws: RunRecordError.incompatibleSchema(path: "\(directory)/run.json", found: "benchlab.run/0")) {
            _ = try RunRecordCoding.load(path: directory)
        }
    }

    @Test("a schema /1 record still reads: families from the frozen name table, no phases")
    func schemaOne() throws {
        // A /1 file: the current encoding without the keys /2 added.
        var json = try #require(try JSONSerialization.jsonObject(with: RunRecordCoding.encode(Self.sample())) as? [String: Any])
        json["schema"] = "benchlab.run/1"
        json["cases"] = (json["cases"] as? [[String: Any]])?.map { item -> [String: Any] in
            var item = item
            item["family"] = nil
            item["repeats"] = (item["repeats"] as? [[String: Any]])?.map { round -> [String: Any] in
                var round = round
                round["phases"] = nil
                return round
            }
            return item
        }
        let text = String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self)
        #expect(!text.contains("family") && !text.contains("phases"))
        let directory = NSTemporaryDirectory() + "bl-runrecord-v1-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try text.write(toFile: "\(directory)/run.json", atomically: true, encoding: .utf8)
        let record = try RunRecordCoding.load(path: directory)
        #expect(record.schema == "benchlab.run/1")
        #expect(record.cases.map(\.family) == [.baseline, .baseline])
        #expect(record.cases[0].repeats[0].phases.isEmpty)
    }

    @Test("phase names say which are traffic windows")
    func phaseKinds() {
        #expect(PhaseRecord(name: PhaseRecord.traffic("udp-latency"), milliseconds: 1).isTraffic)
        #expect(PhaseRecord(name: PhaseRecord.traffic("udp-latency"), milliseconds: 1).kind == "traffic")
        #expect(PhaseRecord(name: PhaseRecord.workload("udp-latency"), milliseconds: 1).kind == "workload")
        #expect(!PhaseRecord(name: PhaseRecord.install, milliseconds: 1).isTraffic)
        #expect(PhaseRecord(name: PhaseRecord.install, milliseconds: 1).kind == "install")
    }
}

@Suite("run.json address plan")
struct RunRecordAddressPlanTests {
    @Test("address_plan is written when set, left out when not, and round-trips")
    func addressPlan() throws {
        var record = RunRecordTests.sample()
        #expect(!String(decoding: try RunRecordCoding.encode(record), as: UTF8.self).contains("address_plan"))
        var pool = try ClusterPool(prefixes: [IPv4Prefix("198.18.64.0/18")!], nodeMaskLength: 24)
        try pool.allocateNode("n1")
        _ = try pool.allocatePod("n1-p1", node: "n1")
        record.addressPlan = AddressPlanRecord(cluster: pool)
        let text = String(decoding: try RunRecordCoding.encode(record), as: UTF8.self)
        #expect(text.contains("\"address_plan\""))
        #expect(text.contains("\"198.18.64.2\""))
        #expect(try RunRecordCoding.decode(Data(text.utf8)) == record)
    }
}
