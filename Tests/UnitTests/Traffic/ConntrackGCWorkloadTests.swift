import LabTraffic
import Testing

@Suite("conntrack-gc workload")
struct ConntrackGCWorkloadTests {
    @Test("a table-full phase needs at least 256 entries; 0 turns it off")
    func fullTable() {
        let issues = ConntrackGCWorkload.conflicts(in: WorkloadValues(values: ["full_table": .integer(100)]))
        #expect(issues.map(\.message) == ["full_table must be 0 (no table-full phase) or at least 256 entries, not 100"])
        #expect(ConntrackGCWorkload.conflicts(in: WorkloadValues(values: ["full_table": .integer(0)])).isEmpty)
        #expect(ConntrackGCWorkload.conflicts(in: WorkloadValues(values: ["full_table": .integer(256)])).isEmpty)
    }

    @Test("values read into the workload, durations in seconds, and its settings line says them")
    func values() {
        let workload = ConntrackGCWorkload(values: WorkloadValues(values: [
            "fill": .integer(1000), "fill_rate": .integer(5000), "expire_wait": .integer(20_000), "churn_rate": .integer(0),
            "churn_duration": .integer(3000), "full_table": .integer(512), "full_duration": .integer(2000),
            "established": .integer(4), "established_interval": .integer(250),
        ]))
        #expect(workload == ConntrackGCWorkload(fill: 1000, fillRate: 5000, expireWaitSeconds: 20, churnRate: 0, churnSeconds: 3,
                                                fullTable: 512, fullSeconds: 2, established: 4, establishedIntervalSeconds: 0.25))
        #expect(workload.settings == "fill=1000 fill_rate=5000 expire_wait=20s churn_rate=0 churn_duration=3s full_table=512 "
            + "full_duration=2s established=4 established_interval=250ms")
    }
}
