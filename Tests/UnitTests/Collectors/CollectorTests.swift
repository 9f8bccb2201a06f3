import LabCollectors
import Testing

@Suite("Collectors")
struct CollectorTests {
    @Test("/proc/stat's aggregate line, and usage between two snapshots")
    func cpuTimes() throws {
        let before = try CPUTimes.parse("cpu  100 5 200 1000 10 1 50 0 0 0\ncpu0 50 2 100 500 5 0 25 0 0 0\n")
        let after = try CPUTimes.parse("cpu  150 5 260 1100 10 3 88 0 0 0\n")
        let usage = CPUUsage(from: before, to: after, ticksPerSecond: 100)
        #expect(usage.userMs == 500)
        #expect(usage.systemMs == 600)
        #expect(usage.softirqMs == 400)
        #expect(abs(usage.busyRatio - 150.0 / 250.0) < 1e-12)
    }

    @Test("a /proc/stat without the aggregate line is an error")
    func badStat() {
        #expect(throws: (any Error).self) { _ = try CPUTimes.parse("intr 1 2 3\n") }
    }

    @Test("stats64 from ip -s -j link")
    func interfaceCounters() throws {
        let json = """
        [{"ifindex":2,"ifname":"blaaaaaa-s0","stats64":{"rx":{"bytes":1000,"packets":10,"errors":0,"dropped":1,"over_errors":0,"multicast":0},"tx":{"bytes":2000,"packets":20,"errors":0,"dropped":0,"carrier_errors":0,"collisions":0}}}]
        """
        let counters = try InterfaceCounters.parse(json, interface: "blaaaaaa-s0")
        #expect(counters == InterfaceCounters(rxPackets: 10, rxBytes: 1000, rxDropped: 1, txPackets: 20, txBytes: 2000, txDropped: 0))
        #expect(throws: (any Error).self) { _ = try InterfaceCounters.parse(json, interface: "other") }
    }
}
