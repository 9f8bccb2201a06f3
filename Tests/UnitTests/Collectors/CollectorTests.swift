import LabCollectors
import LabResults
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

@Suite("Collectors: registry, steal, series")
struct CollectorRegistryTests {
    static let before = try! CPUTimes.parse("cpu  100 5 200 1000 10 1 50 10 0 0\n")
    /// 400 ticks later, 40 of them stolen.
    static let after = try! CPUTimes.parse("cpu  150 5 260 1210 10 3 88 50 0 0\n")

    @Test("steal over the window: milliseconds and share of all ticks")
    func steal() {
        let samples = StealCollector.samples(workload: "w", from: Self.before, to: Self.after, ticksPerSecond: 100)
        #expect(samples.map(\.metric) == ["cpu_steal_ms", "steal_share"])
        #expect(samples[0].value == 400)
        #expect(abs(samples[1].value - 40.0 / 400.0) < 1e-12)
        #expect(StealCollector.samples(workload: "w", from: Self.before, to: Self.before)[1].value == 0)
    }

    @Test("CPU per packet is derived from the CPU and interface collectors, as before the split")
    func perPacket() throws {
        let cpu = CPUCollector.samples(workload: "w", from: Self.before, to: Self.after, ticksPerSecond: 100)
        let sent = InterfaceCounters(rxPackets: 0, rxBytes: 0, rxDropped: 0, txPackets: 1000, txBytes: 0, txDropped: 0)
        let samples = cpu + InterfaceCollector.samples(workload: "w", server: sent, client: sent)
        let derived = try #require(CPUPerPacket.sample(workload: "w", from: samples))
        // softirq (38 + 2 irq ticks) + system (60 ticks) at 10 ms a tick, over 1000 packets.
        #expect(abs(derived.value - 1000e6 / 1000) < 1e-6)
        #expect(CPUPerPacket.sample(workload: "other", from: samples) == nil)
        let idle = InterfaceCounters(rxPackets: 0, rxBytes: 0, rxDropped: 0, txPackets: 0, txBytes: 0, txDropped: 0)
        #expect(CPUPerPacket.sample(workload: "w", from: cpu + InterfaceCollector.samples(workload: "w", server: idle, client: idle)) == nil)
    }

    @Test("the busy-share trace: one point per reading, thinned past its bound, the end always kept")
    func trace() throws {
        var trace = CPUBusyTrace(start: Self.before)
        trace.add(Self.after, at: 0.1)
        #expect(trace.seconds == [0.1])
        #expect(abs(trace.busyShare[0] - (400.0 - 210) / 400) < 1e-12)
        var ticks = Self.after
        for index in 2...(CPUBusyTrace.maximumPoints * 3) {
            ticks.user += 1
            ticks.idle += 1
            trace.add(ticks, at: Double(index) / 10)
        }
        #expect(trace.seconds.count < CPUBusyTrace.maximumPoints && trace.stride >= 4)
        #expect(trace.seconds == trace.seconds.sorted())
        ticks.idle += 2
        trace.finish(ticks, at: 999)
        let series = trace.series(workload: "w")
        #expect(series.x.last == 999 && series.y.last == 0)
        #expect(series.name == "cpu_busy_share" && series.x.count == series.y.count)
    }

    @Test("the registry opens CPU before the interface counters; every collector's metrics are catalogued")
    func registry() {
        let names = CollectorRegistry.all.map { "\($0)" }
        #expect(names.firstIndex(of: "CPUCollector")! < names.firstIndex(of: "InterfaceCollector")!)
        let grouped = CollectorRegistry.metricGroups.flatMap { $0 }.map(\.name)
        for collector in CollectorRegistry.all {
            for metric in collector.metrics { #expect(grouped.contains(metric.name)) }
        }
        #expect(grouped.contains("cpu_ns_per_pkt"))
    }
}
