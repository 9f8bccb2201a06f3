import LabTraffic
import Testing
@testable import LabScenario

@Suite("SNAT workloads as the scenario reader sees them")
struct SNATWorkloadReadingTests {
    func read(_ yaml: String) -> (workload: Workload?, messages: [String]) {
        let log = DiagnosticLog(path: "t.yaml")
        guard let document = YAMLDocument.compose(yaml, log: log), let root = document.root else { return (nil, ["no document"]) }
        let reader = ValueReader(log: log, document: document, substitution: .none(log))
        let kind = WorkloadKind(SNATExhaustionWorkload.self)
        guard let fields = reader.mapping(root, "entry", keys: kind.keys, context: "workload") else { return (nil, ["not a mapping"]) }
        let workload = WorkloadSettingsReader(reader: reader, fields: fields).read(kind)
        return (workload, log.diagnostics.map { "\($0.line):\($0.column): \($0.message)" })
    }

    @Test("from and to are plain numbers in their range; steps 0 and from above to are errors at the value")
    func badFields() throws {
        let good = read("type: snat-exhaustion\nfrom: 0.6\nto: 1.2\nrange: 64\n")
        #expect(good.messages.isEmpty, "\(good.messages)")
        let ramp = try #require(good.workload?.as(SNATExhaustionWorkload.self))
        #expect(ramp.from == 0.6 && ramp.to == 1.2 && ramp.range == 64 && ramp.steps == 7)
        #expect(read("type: snat-exhaustion\nsteps: 0\n").messages == ["2:8: 'steps' must be between 1 and 50, got 0"])
        #expect(read("type: snat-exhaustion\nfrom: 1.2\nto: 1.1\n").messages
                == ["2:7: from (1.2) must be at most to (1.1): the ramp only goes up"])
        #expect(read("type: snat-exhaustion\nto: 5\n").messages == ["2:5: 'to' must be between 0.01 and 4, got 5"])
        #expect(read("type: snat-exhaustion\nto: \"1.1\"\n").messages.first?.contains("(the quotes make it text)") == true)
    }
}
