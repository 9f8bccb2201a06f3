import Testing
import LabResults
@testable import LabReport

@Suite("Report: where the time went")
struct RunTimeSectionTests {
    static func record(phases: [[PhaseRecord]], started: String = "2026-11-30T10:00:00.000Z",
                       finished: String? = "2026-11-30T10:00:10.000Z") -> RunRecord {
        var builder = RunBuilder(scenario: "quick")
        builder.add("none", ["throughput_gbps": [10]])
        var record = builder.record()
        record.startedAt = started
        record.finishedAt = finished
        record.cases[0].repeats = phases.enumerated().map { index, list in
            RepeatRecord(index: index, warmup: index == 0, startedAt: started, phases: list)
        }
        return record
    }

    static let round: [PhaseRecord] = [
        PhaseRecord(name: PhaseRecord.topology, milliseconds: 300),
        PhaseRecord(name: PhaseRecord.install, milliseconds: 100),
        PhaseRecord(name: PhaseRecord.workload("tcp-throughput"), milliseconds: 2600),
        PhaseRecord(name: PhaseRecord.traffic("tcp-throughput"), milliseconds: 2000),
        PhaseRecord(name: PhaseRecord.teardown, milliseconds: 500),
    ]

    @Test("the traffic share counts each window once and the rest is attributed by phase")
    func shares() {
        let text = RunTimeSection(record: Self.record(phases: [Self.round, Self.round])).text
        // 2 rounds: 4.0 s of traffic in 10.0 s of wall time; set-up is workload minus its window.
        #expect(text.contains("2 rounds took 10.0 s of wall-clock time; 40.0% of it was inside traffic windows"))
        #expect(text.contains("| traffic windows | 4.0 | 40.0% | 2000 |"))
        #expect(text.contains("| workload set-up (servers, listeners, counters) | 1.2 | 12.0% | 600 |"))
        #expect(text.contains("| topology | 0.6 | 6.0% | 300 |"))
        // 10 s − 7 s of phases happened between rounds.
        #expect(text.contains("| outside rounds (preflight, run.json writes) | 3.0 | 30.0% | — |"))
    }

    @Test("without a finish time the phases are the whole run")
    func unfinished() {
        let text = RunTimeSection(record: Self.record(phases: [Self.round], finished: nil)).text
        #expect(text.contains("1 round took 3.5 s of wall-clock time; 57.1% of it was inside traffic windows"))
        #expect(!text.contains("outside rounds"))
    }

    @Test("a record without phases (schema /1) gets no section")
    func none() {
        #expect(RunTimeSection(record: Self.record(phases: [[]])).text.isEmpty)
    }
}
