import Foundation
import LabCollectors
import LabResults
import LabSystem
import LabTestSupport
import LabTopology
import LabTraffic
import Testing

extension KernelTests {
    /// The receive path of the filter point's interface is moved to the receive CPU, measured there,
    /// and put back afterwards. Loose bounds: it shows where the work lands, not how fast.
    @Suite("Packet-rate receive steering")
    struct ReceiveSteeringKernelTests {
        @Test("with receive_cpu the receive CPU's softirq rises, its cost is recorded, and RPS is restored after")
        func steeredToTheReceiveCPU() throws {
            try #require(sysconf(Int32(_SC_NPROCESSORS_ONLN)) > 1, "needs two CPUs")
            try withTestJournal("rx-steer") { journal in
                let topology = try TopologyBuilder.up(.pair, journal: journal)
                let scratch = try TestEnvironment.temporaryDirectory("rx-steer")
                defer { try? FileManager.default.removeItem(atPath: scratch) }
                let context = TrafficContext(topology: topology, scratchDirectory: scratch, agentExecutable: TestEnvironment.benchlabBinary)
                let point = topology.filterPoint
                let rpsPath = "/sys/class/net/\(point.ingressInterface)/queues/rx-0/rps_cpus"
                func rps() throws -> String {
                    try Subprocess.run(Command("cat", [rpsPath]).inNamespace(point.namespace)).requireSuccess().stdout
                        .trimmingCharacters(in: .whitespacesAndNewlines)
                }
                let before = try rps()
                let cpuBefore = try PerCPUTimes.read()
                let samples = try WorkloadRunner.run(Workload(PacketRateWorkload(name: "pr", durationSeconds: 1, receiveCPU: 1)), in: context)
                let cpuAfter = try PerCPUTimes.read()
                func value(_ metric: MetricInfo) -> Double? { samples.first { $0.metric == metric.name }?.value }
                let softirqTicks = cpuAfter[1]!.softirq - cpuBefore[1]!.softirq
                #expect(softirqTicks > 0, "CPU 1's softirq did not rise")
                #expect((value(ReceiveCPUCost.softirqShare) ?? 0) > 0)
                #expect((value(ReceiveCPUCost.nsPerPacket) ?? 0) > 0)
                #expect(value(ReceiveCPUCost.cpu) == 1)
                #expect(value(ReceiveCPUCost.napiThreads) == 0, "veth without XDP has no NAPI")
                #expect(try rps() == before, "rps_cpus was not restored")
            }
        }
    }
}
