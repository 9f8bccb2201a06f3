import Testing
@testable import LabReport
import LabResults
import LabStats

@Suite("Report: analysis and ratios")
struct ReportAnalysisTests {
    @Test func ratioToNoneDividesMediansAtTheSamePoint() throws {
        let run = RunAnalysis(record: try ReportFixtures.run("filter-scale"))
        let id = MetricID(workload: "tcp-throughput", metric: "throughput_gbps")
        let tc = try #require(run.analysis(ofCase: "tc[rules=10000]")?.metrics[id])
        let none = try #require(run.analysis(ofCase: "none[rules=10000]")?.metrics[id])
        let ratio = try #require(run.ratios.first {
            $0.key == RatioKey(subject: "tc[rules=10000]", reference: "none[rules=10000]", workload: id.workload, metric: id.metric)
        })
        #expect(ratio.kind == .toNone)
        #expect(ratio.value == tc.median / none.median)
        let interval = try #require(ratio.interval)
        #expect(interval.contains(ratio.value))
        #expect(ratio.count == 3)
    }

    @Test func pairsAreEBPFOverNetfilterAtTheSamePointOnly() throws {
        let run = RunAnalysis(record: try ReportFixtures.run("filter-scale"))
        let pairs = run.ratios.filter { $0.kind == .ebpfOverNetfilter && $0.key.metric == "throughput_gbps" }
        // rules=1: {xdp, tc} × {iptables-legacy, nftables}; rules=100: tc × both (xdp failed);
        // rules=10000: {xdp, tc} × iptables-legacy (nftables failed).
        #expect(pairs.count == 8)
        for pair in pairs {
            #expect(run.analysis(ofCase: pair.key.subject)?.family == .ebpf)
            #expect(run.analysis(ofCase: pair.key.reference)?.family == .netfilter)
            #expect(run.analysis(ofCase: pair.key.reference)?.record.parameters == pair.parameters)
        }
    }

    @Test func onlyDirectionalMetricsOfCasesThatRanGetRatios() throws {
        let run = RunAnalysis(record: try ReportFixtures.run("filter-scale"))
        let metrics = Set(run.ratios.map(\.key.metric))
        #expect(!metrics.contains("pps_sent") && !metrics.contains("transactions"), "neutral metrics have no better direction")
        #expect(metrics.contains("latency_p99_us") && metrics.contains("install_ms"))
        #expect(!run.ratios.contains { $0.subjectBackend == "none" })
        #expect(!run.ratios.contains { $0.key.subject == "xdp[rules=100]" || $0.key.reference == "nftables[rules=10000]" },
                "failed cases measured nothing trustworthy")
        #expect(run.analysis(ofCase: "xdp[rules=100]") == nil)
    }

    @Test func warmUpsNeverCount() throws {
        var builder = RunBuilder()
        builder.add("none", ["throughput_gbps": [10, 10.2, 9.8]])
        let run = RunAnalysis(record: builder.record())
        let stats = try #require(run.cases.first?.metrics[MetricID(workload: "tcp-throughput", metric: "throughput_gbps")])
        #expect(stats.count == 3)
        #expect(stats.median == 10)
    }

    @Test func noisyFlagFollowsTheCVAndCountingNoise() throws {
        let run = RunAnalysis(record: try ReportFixtures.run("filter-scale"))
        let noisy = try #require(run.analysis(ofCase: "iptables-legacy[rules=100]"))
        #expect(noisy.metrics[MetricID(workload: "tcp-throughput", metric: "throughput_gbps")]!.isNoisy)
        // Retransmits 5, 6, 6: CV 10.2%, but a count with mean 5.7 varies by 42% from counting alone.
        #expect(!noisy.metrics[MetricID(workload: "tcp-throughput", metric: "retransmits")]!.isNoisy)
        var builder = RunBuilder()
        builder.add("tc", ["retransmits": [0, 0, 50], "throughput_gbps": [9, 10, 11.5]])
        let crafted = try #require(RunAnalysis(record: builder.record()).cases.first)
        #expect(crafted.metrics[MetricID(workload: "tcp-throughput", metric: "retransmits")]!.isNoisy)
        #expect(crafted.metrics[MetricID(workload: "tcp-throughput", metric: "throughput_gbps")]!.isNoisy)
    }

    @Test func twoRepeatsGiveMediansButNoIntervals() throws {
        let run = RunAnalysis(record: try ReportFixtures.run("ci-smoke"))
        #expect(!run.cases.isEmpty)
        for item in run.cases {
            #expect(item.metrics.values.allSatisfy { $0.count == 2 && $0.interval == nil })
        }
        #expect(!run.ratios.isEmpty && run.ratios.allSatisfy { $0.interval == nil })
        let markdown = ReportContent(record: try ReportFixtures.run("ci-smoke")).markdown(rendering: .rendered)
        #expect(markdown.contains("| tc | 2 | 23.5 (n=2) |"))
        #expect(markdown.contains("0.98× (n=2)"))
    }

    @Test func workloadsFollowTheScenarioThenExtrasAlphabetically() throws {
        let run = RunAnalysis(record: try ReportFixtures.run("filter-scale"))
        #expect(run.workloads == ["tcp-throughput", "udp-pps", "tcp-latency", "policy"])
        #expect(run.metrics(of: "tcp-latency") == ["latency_p50_us", "latency_p90_us", "latency_p99_us", "latency_p999_us", "transactions"])
    }
}

@Suite("Report: verdict")
struct ReportVerdictTests {
    static func verdict(_ record: RunRecord) -> String {
        let markdown = ReportContent(record: record).markdown(rendering: .rendered)
        let start = markdown.range(of: "## Verdict\n\n")!.upperBound
        return String(markdown[start...].prefix { $0 != "\n" })
    }

    @Test func verdictSpeaksAboutTheLastPointWithIntervalsAndAbsentees() throws {
        let text = Self.verdict(try ReportFixtures.run("filter-scale"))
        #expect(text.hasPrefix("At rules=10000, on tcp-throughput, xdp keeps 0.99× [0.96, 0.99] of the no-filter throughput_gbps"))
        #expect(text.contains("iptables-legacy 0.13× [0.13, 0.13]"))
        #expect(text.contains("xdp wins, at 7.62× [7.50, 7.65] the throughput_gbps of iptables-legacy, the only netfilter backend measured here"))
        #expect(text.contains("nftables failed at this point (install: "))
        #expect(text.contains("2 cases failed, 1 case failed the equivalence check"))
    }

    @Test func verdictCallsOverlappingIntervalsNoise() throws {
        var builder = RunBuilder()
        builder.add("none", ["throughput_gbps": [10, 10.1, 9.9]])
        builder.add("iptables-nft", ["throughput_gbps": [9.0, 9.8, 9.4]])
        builder.add("tc", ["throughput_gbps": [9.1, 9.9, 9.5]])
        let text = Self.verdict(builder.record())
        #expect(text.contains("tc and iptables-nft (the only netfilter backend measured here) are within noise of each other"))
        #expect(!text.contains("wins"))
    }

    @Test func anInterruptedRunSaysSo() throws {
        var record = try ReportFixtures.run("ci-smoke")
        record.status = .interrupted
        #expect(Self.verdict(record).contains("the run did not complete (status interrupted)"))
    }
}
