@testable import LabCollectors
import LabNetwork
import LabPolicy
import LabResults
import LabSystem
import Testing
@testable import LabTraffic

@Suite("Packet-rate receive CPU: per-CPU times, steering, denied_from, receive_cpu")
struct ReceiveSteeringTests {
    static let stat = """
    cpu  300 0 60 1000 0 0 40 5 0 0
    cpu0 100 0 20 500 0 0 10 2 0 0
    cpu1 200 0 40 500 0 0 30 3 0 0
    intr 12345
    """

    @Test("per-CPU lines are parsed by CPU number; the aggregate line is not one of them")
    func perCPUParse() throws {
        let times = try PerCPUTimes.parse(Self.stat)
        #expect(times.keys.sorted() == [0, 1])
        #expect(times[1]?.user == 200 && times[1]?.softirq == 30 && times[1]?.steal == 3)
        #expect(throws: LabFailure.self) { try PerCPUTimes.parse("cpu  1 2 3 4 5 6 7 8\n") }
        #expect(throws: LabFailure.self) { try PerCPUTimes.parse("cpu0 1 2 3\n") }
    }

    @Test("one CPU's usage: busy is softirq + system + user, steal is not busy, ratios over the CPU's ticks")
    func oneCPUUsage() {
        let before = CPUTimes(user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0)
        let after = CPUTimes(user: 10, nice: 0, system: 20, idle: 50, iowait: 0, irq: 0, softirq: 10, steal: 10)
        let usage = OneCPUUsage(from: before, to: after, ticksPerSecond: 100)
        #expect(usage.busyNs == 400_000_000)
        #expect(usage.softirqNs == 100_000_000)
        #expect(usage.softirqShare == 0.25)
        #expect(usage.busyRatio == 0.4)
    }

    @Test("rx_cpu_ns_per_pkt divides the receive CPU's busy time by the packets delivered or dropped")
    func receiveCost() {
        let before = CPUTimes(user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0)
        let after = CPUTimes(user: 0, nice: 0, system: 10, idle: 0, iowait: 0, irq: 0, softirq: 90, steal: 0)
        let cost = ReceiveCPUCost(usage: OneCPUUsage(from: before, to: after, ticksPerSecond: 100), handledPackets: 1_000_000)
        let applied = ReceiveSteering.Applied(steering: ReceiveSteering(namespace: "n", interface: "i", cpu: 1),
                                              previousRPS: "0", previousThreaded: nil, napiThreads: [42])
        let samples = cost.samples(workload: "w", arrangement: applied)
        func value(_ metric: MetricInfo) -> Double? { samples.first { $0.metric == metric.name }?.value }
        #expect(value(ReceiveCPUCost.nsPerPacket) == 1000)
        #expect(value(ReceiveCPUCost.softirqShare) == 0.9)
        #expect(value(ReceiveCPUCost.busyRatio) == 1)
        #expect(value(ReceiveCPUCost.cpu) == 1)
        #expect(value(ReceiveCPUCost.napiThreads) == 1)
        let idle = ReceiveCPUCost(usage: cost.usage, handledPackets: 0).samples(workload: "w", arrangement: applied)
        #expect(!idle.contains { $0.metric == ReceiveCPUCost.nsPerPacket.name })
    }

    @Test("the RPS mask names the one CPU, in the kernel's comma-grouped hex")
    func rpsMask() {
        #expect(ReceiveSteering.rpsMask(cpu: 1) == "00000002")
        #expect(ReceiveSteering.rpsMask(cpu: 0) == "00000001")
        #expect(ReceiveSteering.rpsMask(cpu: 33) == "00000002,00000000")
    }

    @Test("NAPI kthreads are matched by the whole interface name and a numeric NAPI id")
    func napiThreads() {
        let tasks: [(pid: Int32, comm: String)] = [
            (10, "napi/blab12cd-s0-671"), (11, "napi/blab12cd-s01-672"), (12, "napi/blab12cd-s0-"),
            (13, "ksoftirqd/1"), (14, "napi/blab12cd-s0-x"), (15, "napi/blab12cd-s0-673"),
        ]
        #expect(ReceiveSteering.napiThreads(of: "blab12cd-s0", among: tasks) == [10, 15])
    }

    @Test("denied_from gives spread addresses of the prefix, each in the pool and denied; else a clear error")
    func deniedFrom() throws {
        let policy = Policy(rules: [
            Rule(action: .deny, source: IPv4Prefix("198.18.100.0/24")),
            Rule(action: .deny, source: IPv4Prefix("198.19.0.0/24")),
        ], defaultAction: .allow)
        let sources = try PacketRateSources.select(for: policy, deniedShare: 0.5, deniedFrom: IPv4Prefix("198.19.0.0/24"),
                                                   port: 7004, workload: "w")
        #expect(sources.denied.map(\.description) == ["198.19.0.32", "198.19.0.96", "198.19.0.160", "198.19.0.224"])
        #expect(!sources.allowed.isEmpty)
        let single = try PacketRateSources.deniedSources(from: IPv4Prefix("198.18.100.7/32")!, policy: policy, port: 7004, workload: "w")
        #expect(single.map(\.description) == ["198.18.100.7"])
        // Half of this /23 is allowed.
        #expect(throws: LabFailure.self) {
            try PacketRateSources.deniedSources(from: IPv4Prefix("198.19.0.0/23")!, policy: policy, port: 7004, workload: "w")
        }
        // The server's block is not client pool.
        let everything = Policy(rules: [], defaultAction: .deny)
        #expect(throws: LabFailure.self) {
            try PacketRateSources.deniedSources(from: IPv4Prefix("198.18.1.0/24")!, policy: everything, port: 7004, workload: "w")
        }
    }

    @Test("receive_cpu must not be the flood's CPU and must exist; one CPU skips the arrangement and says so")
    func receiveCPUField() throws {
        #expect(ReceiveCPUField.conflicts(in: WorkloadValues(values: ["receive_cpu": .integer(0)])).count == 1)
        #expect(ReceiveCPUField.conflicts(in: WorkloadValues(values: ["receive_cpu": .integer(1)])).isEmpty)
        #expect(ReceiveCPUField.conflicts(in: WorkloadValues()).isEmpty)
        #expect(try ReceiveCPUField.check(1, online: 2, workload: "w") == nil)
        #expect(try ReceiveCPUField.check(1, online: 1, workload: "w")?.contains("1 CPU") == true)
        #expect(throws: LabFailure.self) { try ReceiveCPUField.check(3, online: 2, workload: "w") }
    }

    @Test("packet-rate without receive_cpu keeps its old settings line; with it the line says how CPUs are arranged")
    func settings() {
        #expect(PacketRateWorkload().settings == "size=18B rate=unlimited denied_share=0 duration=5s")
        let steered = PacketRateWorkload(deniedShare: 1, deniedFrom: IPv4Prefix("198.19.0.0/24"), receiveCPU: 1)
        #expect(steered.settings.hasSuffix("denied_from=198.19.0.0/24 flood_cpu=0 receive_cpu=1"))
        let values = WorkloadValues(values: ["receive_cpu": .integer(1), "denied_from": .prefix(IPv4Prefix("198.19.0.0/24")!)])
        let read = PacketRateWorkload(values: values)
        #expect(read.receiveCPU == 1 && read.deniedFrom == IPv4Prefix("198.19.0.0/24"))
    }
}
