import LabResults
import Testing
@testable import LabReport

@Suite("Report: connection tracking")
struct ConntrackSectionTests {
    static func run() -> RunAnalysis {
        var builder = RunBuilder(scenario: "conntrack-gc")
        builder.add("none", workload: "conntrack-gc", ["ct_fill_rate": [250_000]])
        builder.add("nftables", workload: "conntrack-gc", [
            "ct_fill_rate": [140_000], "ct_gc_lag_p50_ms": [10_000, 12_000, 11_000], "ct_gc_lag_p99_ms": [20_000],
            "ct_time_to_empty_s": [21], "ct_entries_left": [0], "ct_churn_broken": [0], "ct_full_refused": [56],
            "ct_full_established_broken": [0], "ct_full_drops": [4560], "ct_full_early_drops": [646], "ct_full_recovery_s": [5.1],
        ])
        builder.add("tc-ct-lru", workload: "conntrack-gc", [
            "ct_fill_rate": [210_000], "ct_entries_left": [5000], "ct_churn_broken": [0], "ct_full_refused": [0],
            "ct_full_established_broken": [12], "ct_full_drops": [0],
        ])
        builder.add("tc-ct-kfunc", workload: "conntrack-gc", ["ct_fill_rate": [200_000], "ct_time_to_empty_s": [40.2], "ct_gc_unseen": [262_144]])
        builder.add("tc", ["throughput_gbps": [10]])
        return RunAnalysis(record: builder.record())
    }

    @Test("one row per case that ran conntrack-gc, the tracker named, a dash where the tracker has no figure")
    func table() {
        let text = ConntrackSection(run: Self.run()).text
        #expect(text.hasPrefix("## Connection tracking\n"))
        #expect(text.contains("| nftables | nf_conntrack | 140000 | 11000 | 20000 | 21.0 | 0 | — | 0 | 56 | 0 | 4560 | 646 | 5.10 |"))
        #expect(text.contains("| tc-ct-lru | BPF LRU hash | 210000 | — | — | — | 5000 | — | 0 | 0 | 12 | 0 | — | — |"))
        #expect(text.contains("| none | none | 250000 |"))
        #expect(!text.contains("| tc |"))
    }

    @Test("the plain-words reading says what each tracker did, from its numbers")
    func reading() {
        let text = ConntrackSection(run: Self.run()).text
        #expect(text.contains("- **nftables** (nf_conntrack): reclaimed expired entries 11000 ms late at the median (p99 20000 ms); "
            + "with the table full it refused 56 new connections and broke 0 long-lived flows, dropping 646 entries early to make room; "
            + "the churn race broke 0 short connections."))
        #expect(text.contains("- **tc-ct-lru** (BPF LRU hash): left 5000 expired entries in the table"))
        #expect(text.contains("broke 12 long-lived flows"))
        #expect(text.contains("- **tc-ct-kfunc** (nf_conntrack via kfuncs): emptied its table 40.2 s after the last flow expired "
            + "(no deletion was seen one by one, so there is no per-flow lag)."))
    }

    @Test("a run without conntrack-gc has no section")
    func absent() {
        var builder = RunBuilder()
        builder.add("tc", ["throughput_gbps": [10]])
        #expect(ConntrackSection(run: RunAnalysis(record: builder.record())).text.isEmpty)
    }
}
