import LabBPF
import LabNetwork
import LabTestSupport
import Testing

extension KernelTests {
    /// bpf/pass.bpf.c through BPF_PROG_TEST_RUN: it passes and counts every packet, and its time per
    /// run is the floor the filter's figures are read against (printed, never asserted).
    @Suite("BPF null program")
    struct NullProgramTests {
        @Test("passes every packet and counts packets and bytes per CPU; ns per run is the floor", arguments: FilterVariant.allCases)
        func passesAndCounts(variant: FilterVariant) throws {
            try BPFTestEnvironment.requireFilterLoads()
            let program = try NullProgram(variant: variant)
            let packet = TestPacket(proto: .udp, source: AddressPlan.client, destination: IPv4Address("198.18.1.1")!).bytes
            #expect(try program.counted().packets == 0)
            var samples: [UInt32] = []
            for _ in 0..<5 {
                let run = try program.run(packet, repeat: 20_000)
                #expect(run.verdict == .allow)
                samples.append(run.nanosecondsPerRun)
            }
            let counted = try program.counted()
            #expect(counted.packets == 100_000)
            #expect(counted.bytes == 100_000 * UInt64(packet.count))
            let filter = try BPFFilter(variant: variant, policy: .allowAll)
            let filterRun = try filter.run(packet, repeat: 20_000)
            print("\(variant.rawValue) null program: \(samples.sorted()[2]) ns/run (floor); filter, allow-all: \(filterRun.nanosecondsPerRun) ns/run")
        }
    }
}
