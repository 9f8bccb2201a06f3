import LabNetwork
import LabResults
import LabTraffic
import Testing
@testable import LabScenario

/// A workload kind the reader has never seen, declared the way a new file under
/// Sources/LabTraffic/Workloads/ would: the reader needs nothing else to read it.
struct PauseWorkload: WorkloadDefinition, Equatable {
    var name: String
    var milliseconds: Int
    var repeats: Int
    var proto: TransportProtocol

    static let kind = "pause"
    static let fields = [
        WorkloadField("protocol", .transportProtocol, .defaulted(.transport(.udp)), namesTheWorkload: true),
        WorkloadField("length", .milliseconds(100...1_000, wholeSeconds: false), .required),
        WorkloadField("times", .integer(1...3), .defaulted(.integer(2))),
    ]
    static let metrics: [MetricInfo] = []

    static func conflicts(in values: WorkloadValues) -> [WorkloadFieldIssue] {
        guard let length = values.integer("length"), let times = values.integer("times"), length * times > 2_000 else { return [] }
        return [WorkloadFieldIssue(key: "times", at: .key, "'times' × 'length' must stay within 2s")]
    }

    static func defaultName(_ values: WorkloadValues) -> String { "\(values.transport("protocol")?.rawValue ?? "?")-pause" }

    init(values: WorkloadValues) {
        name = Self.defaultName(values)
        milliseconds = values.integer("length") ?? 0
        repeats = values.integer("times") ?? 0
        proto = values.transport("protocol") ?? .udp
    }

    var settings: String { "length=\(milliseconds)ms times=\(repeats)" }
    var maximumSeconds: Double { Double(milliseconds * repeats) / 1000 }

    func run(in context: TrafficContext, filter: FilterUnderTest, window: TrafficWindow) throws -> [Sample] { [] }
}

@Suite("Workloads are read from their declared fields")
struct GenericWorkloadReadingTests {
    /// Reads one entry as the workload reader does after `type:` chose `PauseWorkload`.
    func read(_ yaml: String) -> (workload: Workload?, messages: [String]) {
        let log = DiagnosticLog(path: "t.yaml")
        guard let document = YAMLDocument.compose(yaml, log: log), let root = document.root else { return (nil, ["no document"]) }
        let reader = ValueReader(log: log, document: document, substitution: .none(log))
        let kind = WorkloadKind(PauseWorkload.self)
        guard let fields = reader.mapping(root, "entry", keys: kind.keys, context: "workload") else { return (nil, ["not a mapping"]) }
        let workload = WorkloadSettingsReader(reader: reader, fields: fields).read(kind)
        return (workload, log.diagnostics.map { "\($0.line):\($0.column): \($0.message)" })
    }

    @Test("defaults fill what the entry leaves out, and the default name comes from the declaration")
    func defaults() throws {
        let (workload, messages) = read("type: pause\nlength: 250ms\n")
        #expect(messages.isEmpty)
        let pause = try #require(workload?.as(PauseWorkload.self))
        #expect(pause == PauseWorkload(values: WorkloadValues(values: ["length": .integer(250), "times": .integer(2),
                                                                       "protocol": .transport(.udp)])))
        #expect(workload?.name == "udp-pause" && workload?.settings == "length=250ms times=2")
    }

    @Test("each field is checked by its kind, every problem reported, then the cross-field checks")
    func errors() {
        #expect(read("type: pause\n").messages == ["1:1: missing required key 'length' in workload"])
        let messages = read("type: pause\nlength: 5s\ntimes: 9\nprotocol: sctp\n").messages
        #expect(messages.count == 3, "\(messages)")
        #expect(messages.contains { $0.hasPrefix("4:11: unknown protocol 'sctp'") }, "\(messages)")
        #expect(messages.contains("2:9: 'length' must be between 100ms and 1s, got 5s"), "\(messages)")
        #expect(messages.contains("3:8: 'times' must be between 1 and 3, got 9"), "\(messages)")
        #expect(read("type: pause\nlength: 1s\ntimes: 3\n").messages == ["3:1: 'times' × 'length' must stay within 2s"])
    }
}
