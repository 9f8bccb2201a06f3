import Foundation
import LabBPF
import LabNetwork
import LabPolicy
import LabSystem
import LabTestSupport
import Testing

extension KernelTests {
    /// Micro-benchmarks through BPF_PROG_TEST_RUN and the run-time statistics API. Figures are printed
    /// for the report, never asserted (a shared CI machine cannot promise nanoseconds); what is asserted
    /// is that the measurement itself works.
    @Suite("BPF filter micro-benchmarks")
    struct BPFFilterBenchmarkTests {
        static let server = IPv4Address("198.18.1.1")!

        /// The two shapes of a large source list: hosts (/32, the filter-scale scenario's default;
        /// they land in the host hash) and short prefixes (/29-/31; they land in the LPM trie).
        enum Shape: String, CaseIterable {
            case hosts, prefixes
            var lengths: [UInt8] { self == .hosts ? [32] : [29, 30, 31] }
        }

        /// `count` deny rules drawn from the client pool: one clause, `count` entries.
        static func sourceListPolicy(_ count: Int, _ shape: Shape = .hosts) throws -> Policy {
            Policy(rules: try RuleGenerator(count: count, seed: 42, pool: AddressPlan.clientPool, lengths: shape.lengths).rules(),
                   defaultAction: .allow)
        }

        static func nanoseconds(_ filter: BPFFilter, _ packet: [UInt8], expect verdict: Action) throws -> UInt32 {
            // Median of five runs of 20k repetitions each.
            var samples: [UInt32] = []
            for _ in 0..<5 {
                let run = try filter.run(packet, repeat: 20_000)
                #expect(run.verdict == verdict)
                samples.append(run.nanosecondsPerRun)
            }
            return samples.sorted()[2]
        }

        @Test("ns per packet, matching and not, at 1 / 100 / 10k / 100k rules; map load time",
              arguments: FilterVariant.allCases, Shape.allCases)
        func nanosecondsPerPacket(variant: FilterVariant, shape: Shape) throws {
            try BPFTestEnvironment.requireFilterLoads()
            var lines = ["\(variant.rawValue) \(shape.rawValue): rules  load_ms  match_ns  miss_ns"]
            for count in [1, 100, 10_000, 100_000] {
                let policy = try Self.sourceListPolicy(count, shape)
                let filter = try BPFFilter(variant: variant, policy: policy)
                let matching = TestPacket(proto: .tcp, source: policy.rules[count / 2].source!.address, destination: Self.server).bytes
                let missing = TestPacket(proto: .tcp, source: AddressPlan.client, destination: Self.server).bytes
                let match = try Self.nanoseconds(filter, matching, expect: .deny)
                let miss = try Self.nanoseconds(filter, missing, expect: .allow)
                lines.append(String(format: "%@ %@: %6d  %7.1f  %8d  %7d", variant.rawValue, shape.rawValue, count,
                                    filter.installReport.milliseconds, match, miss))
            }
            print(lines.joined(separator: "\n"))
        }

        @Test("100k source entries load with one batch call; time printed", arguments: Shape.allCases)
        func largeLoad(shape: Shape) throws {
            try BPFTestEnvironment.requireFilterLoads()
            let image = try BPFPolicyCompiler.compile(try Self.sourceListPolicy(100_000, shape))
            let filter = try BPFFilter(variant: .xdp, image: image)
            let map = shape == .hosts ? "bl_src_hosts" : "bl_src_prefixes"
            let sources = try #require(filter.installReport.maps.first { $0.map == map })
            #expect(sources.written == 100_000)
            print(String(format: "100k %@ into %@: %.1f ms; all maps %.1f ms; object load %.1f ms", shape.rawValue, map,
                         sources.milliseconds, filter.installReport.milliseconds, filter.objectLoadMilliseconds))
        }

        @Test("run-time statistics count test runs while enabled", arguments: FilterVariant.allCases)
        func runTimeStatistics(variant: FilterVariant) throws {
            try BPFTestEnvironment.requireFilterLoads()
            let filter = try BPFFilter(variant: variant, policy: try Self.sourceListPolicy(100))
            let packet = TestPacket(proto: .udp, source: AddressPlan.client, destination: Self.server).bytes
            let (before, after): (BPFProgramInfo, BPFProgramInfo) = try {
                let statistics = try BPFRunTimeStatistics()
                return try withExtendedLifetime(statistics) {
                    let before = try filter.program.info()
                    _ = try filter.run(packet, repeat: 1000)
                    return (before, try filter.program.info())
                }
            }()
            #expect(after.runCount - before.runCount == 1000)
            #expect(after.runTimeNanoseconds > before.runTimeNanoseconds)
            print("\(variant.rawValue) run-time stats: \(after.nanosecondsPerRun.map { String(format: "%.1f", $0) } ?? "-") ns/run")
        }
    }
}
