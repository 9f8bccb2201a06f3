import LabCollectors
import LabResults
import Testing

@Suite("Conntrack collector")
struct ConntrackCollectorTests {
    @Test("counter deltas over the window, declared counters only, in name order; a counter that went back counts from zero")
    func deltas() {
        let samples = ConntrackCollector.deltas(before: ["insert": 10, "early_drop": 5, "drop": 7, "unknown": 1],
                                                after: ["insert": 110, "early_drop": 5, "drop": 2, "unknown": 9, "refused_full": 3],
                                                workload: "w")
        #expect(samples.map(\.metric) == ["ct_drop", "ct_early_drop", "ct_insert", "ct_refused_full"])
        #expect(samples.map(\.value) == [2, 0, 100, 3])
    }

    @Test("every counter is declared as a metric")
    func declared() {
        let names = Set(ConntrackCollector.metrics.map(\.name))
        for name in ["ct_found", "ct_invalid", "ct_insert", "ct_insert_failed", "ct_drop", "ct_early_drop", "ct_error",
                     "ct_search_restart", "ct_clash_resolve", "ct_chaintoolong", "ct_entries_peak", "ct_entries_end", "ct_events_lost"] {
            #expect(names.contains(name), "\(name)")
        }
    }
}
