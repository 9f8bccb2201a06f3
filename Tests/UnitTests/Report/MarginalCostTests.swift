import Testing
@testable import LabReport
import LabResults

@Suite("Report: marginal CPU per packet")
struct MarginalCostTests {
    private let cpu = MetricID(workload: "tcp-throughput", metric: "cpu_ns_per_pkt")

    /// The builder's one workload declared as a kind with fixed-size frames (its name stays).
    static func fixedFrames() -> RunBuilder {
        var builder = RunBuilder()
        builder.workloadKind = "packet-rate"
        return builder
    }

    @Test func aWorkloadWhosePacketsDifferPerBackendGetsNoMarginal() {
        var builder = RunBuilder()
        builder.add("none", ["cpu_ns_per_pkt": [400, 500, 600]])
        builder.add("xdp", ["cpu_ns_per_pkt": [100, 120, 110]])
        // A TCP stream through XDP on veth loses GSO: more, smaller packets, so less CPU per packet.
        #expect(RunAnalysis(record: builder.record()).marginals.isEmpty)
    }

    @Test func marginalIsTheMedianOfPerRoundDifferences() throws {
        var builder = Self.fixedFrames()
        builder.add("none", ["cpu_ns_per_pkt": [400, 500, 600], "throughput_gbps": [10, 10, 10]])
        builder.add("tc", ["cpu_ns_per_pkt": [410, 520, 590], "throughput_gbps": [9, 9, 9]])
        let run = RunAnalysis(record: builder.record())
        // Per round: 10, 20, −10 → median 10. The difference of medians (520 − 500) would say 20.
        let cost = try #require(run.marginals.first { $0.caseId == "tc" && $0.metric == cpu })
        #expect(cost.value == 10)
        #expect(cost.rounds == 3)
        #expect(cost.baselineMedian == 500)
        #expect(cost.interval != nil)
        #expect(!run.marginals.contains { $0.metric.metric == "throughput_gbps" }, "only declared metrics get a marginal")
        #expect(!run.marginals.contains { $0.backend == "none" }, "the baseline has no marginal over itself")
    }

    @Test func aFailedRoundDropsThatPairInsteadOfShiftingTheRest() throws {
        var builder = Self.fixedFrames()
        builder.add("none", ["cpu_ns_per_pkt": [400, 500, 600, 700]])
        builder.add("xdp", ["cpu_ns_per_pkt": [410, 0, 650, 720]], failedRepeats: [1])
        let cost = try #require(RunAnalysis(record: builder.record()).marginals.first { $0.caseId == "xdp" })
        // Rounds 0, 2, 3 pair: 10, 50, 20 → 20. Pairing the counted repeats by position would give 10, 150, 120.
        #expect(cost.value == 20)
        #expect(cost.rounds == 3)
    }

    @Test func receiveSideCPUIsDeclaredToo() throws {
        var builder = Self.fixedFrames()
        builder.add("none", ["rx_cpu_ns_per_pkt": [100, 100, 100]])
        builder.add("tc", ["rx_cpu_ns_per_pkt": [130, 140, 150]])
        let cost = try #require(RunAnalysis(record: builder.record()).marginals.first)
        #expect(cost.metric.metric == "rx_cpu_ns_per_pkt")
        #expect(cost.value == 40)
    }

    @Test func verdictTableAndCSVShowTheMarginal() throws {
        var builder = Self.fixedFrames()
        builder.add("none", ["cpu_ns_per_pkt": [7000, 7100, 6900], "throughput_gbps": [10, 10, 10]])
        builder.add("iptables-legacy", ["cpu_ns_per_pkt": [7300, 7400, 7200], "throughput_gbps": [9, 9, 9]])
        builder.add("xdp", ["cpu_ns_per_pkt": [7050, 7150, 6950], "throughput_gbps": [9, 9, 9]])
        let content = ReportContent(record: builder.record())
        let markdown = content.markdown(rendering: .rendered)
        #expect(markdown.contains("the lowest marginal cpu_ns_per_pkt (minus none's in the same round) is xdp's, 50.0 [50.0, 50.0] ns over none's 7000 ns"))
        #expect(markdown.contains("### Marginal CPU per packet"))
        #expect(markdown.contains("| iptables-legacy | cpu_ns_per_pkt | 300 [300, 300] ns | 3 | 7000 ns |"))
        #expect(content.summaryCSV.contains("xdp,xdp,tcp-throughput,cpu_ns_per_pkt,ns,marginal_to_none,50.0,3\r\n"))
    }

    @Test func verdictSaysWhenTheLowestMarginalIsWithinNoise() throws {
        var builder = Self.fixedFrames()
        builder.add("none", ["cpu_ns_per_pkt": [7000, 7100, 6900], "throughput_gbps": [10, 10, 10]])
        builder.add("tc", ["cpu_ns_per_pkt": [6900, 7200, 6950], "throughput_gbps": [9, 9, 9]])
        let markdown = ReportContent(record: builder.record()).markdown(rendering: .rendered)
        #expect(markdown.contains("is tc's, 50.0 [-100, 100] ns over none's 7000 ns, within noise of no filter"))
    }

    @Test func verdictSaysWhenTooFewRoundsGiveNoInterval() throws {
        var builder = Self.fixedFrames()
        builder.add("none", ["cpu_ns_per_pkt": [7000], "throughput_gbps": [10]])
        builder.add("xdp", ["cpu_ns_per_pkt": [7040], "throughput_gbps": [9]])
        let markdown = ReportContent(record: builder.record()).markdown(rendering: .rendered)
        #expect(markdown.contains("is xdp's, 40.0 ns over none's 7000 ns, too few rounds for an interval"))
    }
}
