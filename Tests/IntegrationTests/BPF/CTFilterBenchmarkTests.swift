import CLibBPF
import Foundation
import LabBPF
import LabNetwork
import LabPolicy
import LabSystem
import LabTestSupport
import Testing

extension KernelTests {
    /// The stateful filter's per-packet cost through BPF_PROG_TEST_RUN beside the stateless filter's
    /// on the same packet and policy (issue 8's target: an established flow's packet ≤ 1.5× the
    /// stateless filter's). Figures are printed, never asserted; what is asserted is the verdicts.
    @Suite("BPF conntrack micro-benchmarks")
    struct CTFilterBenchmarkTests {
        static let server = IPv4Address("198.18.1.1")!

        static func median(_ runs: () throws -> UInt32) rethrows -> UInt32 {
            try (0..<5).map { _ in try runs() }.sorted()[2]
        }

        @Test("established TCP packet vs the stateless filter, at 1 / 100 / 10k source rules", arguments: FilterVariant.allCases)
        func establishedVersusStateless(variant: FilterVariant) throws {
            var lines = ["\(variant.rawValue): rules  table  stateless_ns  established_ns  ratio  new_ns  stateless_single_ns"]
            for count in [1, 100, 10_000] {
                let policy = Policy(rules: try RuleGenerator(count: count, seed: 42, pool: AddressPlan.clientPool, lengths: [32]).rules(),
                                    defaultAction: .allow)
                for kind in CTTableKind.allCases {
                    try CTFilterTests.with(variant, kind, capacity: 65_536) { (ct: CTFilterTests.Harness) throws in
                        let image = try BPFPolicyCompiler.compile(policy)
                        let ct = try CTFilter(variant: variant, image: image, timeouts: .kernelDefaults, kind: kind, capacity: 65_536,
                                              clientIndex: ct.clientIndex)
                        let stateless = try BPFFilter(variant: variant, image: image)
                        func tcp(_ flags: UInt8, port: UInt16, reply: Bool = false) -> [UInt8] {
                            var packet = reply ? TestPacket(proto: .tcp, source: Self.server, destination: AddressPlan.client,
                                                            sourcePort: 80, destinationPort: port)
                                : TestPacket(proto: .tcp, source: AddressPlan.client, destination: Self.server, sourcePort: port, destinationPort: 80)
                            packet.tcpFlags = flags
                            return packet.bytes
                        }
                        #expect(try ct.run(tcp(0x02, port: 30000), ingressIndex: ct.clientIndex).verdict == .allow)
                        #expect(try ct.run(tcp(0x12, port: 30000, reply: true), ingressIndex: 1).verdict == .allow)
                        let ack = tcp(0x10, port: 30000)
                        let established = try Self.median { try ct.run(ack, ingressIndex: ct.clientIndex, repeat: 20_000).nanosecondsPerRun }
                        let plain = try Self.median { try stateless.run(ack, repeat: 20_000).nanosecondsPerRun }
                        let syns = (0..<1000).map { tcp(0x02, port: UInt16(31000 + $0)) }
                        let new = try syns.map { try ct.run($0, ingressIndex: ct.clientIndex).nanosecondsPerRun }.sorted()[500]
                        let single = try syns.map { try stateless.run($0).nanosecondsPerRun }.sorted()[500]
                        #expect(try ct.counters()[BL_CT_CREATED] == 1001)
                        lines.append("  \(count)  \(kind.rawValue)  \(plain)  \(established)  "
                                     + String(format: "%.2f", Double(established) / Double(max(plain, 1))) + "  \(new)  \(single)")
                    }
                }
            }
            print(lines.joined(separator: "\n"))
        }
    }
}
