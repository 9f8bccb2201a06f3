import Foundation
import LabCollectors
import LabReport
import LabResults
import LabTraffic
import Testing

/// The catalog is assembled from what producers declare; these tests run the producers on captured
/// or synthetic input and check that nothing they record escapes it (an uncatalogued metric is
/// silently neutral: never gated).
@Suite("Metric catalog")
struct MetricCatalogTests {
    /// The catalog's order before it was assembled from producers: report columns follow it.
    static let historicalOrder = [
        "throughput_gbps", "retransmits", "pps", "pps_sent", "pps_dropped", "pps_handled", "loss_ratio", "sink_drops",
        "latency_p50_us", "latency_p90_us", "latency_p99_us", "latency_p999_us", "latency_mean_us", "transactions", "timeouts",
        "connect_p50_us", "connect_p90_us", "connect_p99_us", "connect_p999_us", "cps", "connect_failures",
        "cpu_softirq_ms", "cpu_system_ms", "cpu_user_ms", "cpu_busy_ratio", "cpu_ns_per_pkt",
        "rx_packets", "rx_bytes", "rx_dropped", "tx_packets",
        "install_ms", "installed_entries", "update_ms", "bpf_ns_per_run", "ns_per_pkt_match", "ns_per_pkt_nomatch",
    ]

    static func fixture(_ name: String) throws -> String {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/iperf3/\(name)", withExtension: "json"))
        return try String(contentsOf: url, encoding: .utf8)
    }

    static let agentReportLine = #"{"completed":500,"elapsed_s":0.25,"failed":2,"first_error":null,"max_us":90,"mean_us":41,"#
        + #""p50_us":40,"p90_us":52,"p99_us":70,"p999_us":88}"#

    /// Every sample each producer records on captured or synthetic input, by producer.
    static func producedSamples() throws -> [(producer: String, declared: [MetricInfo], samples: [Sample])] {
        let report = try AgentChannel.decodeReply(AgentReport.self, from: agentReportLine, "rr-client")
        let iperf3 = try ["iperf3-tcp", "iperf3-tcp-p2", "iperf3-udp"].flatMap {
            try Iperf3Parser.parse(try fixture($0)).samples(workload: "w")
        }
        let flood = try AgentChannel.decodeReply(FloodReport.self, from: PacketRateTests.floodLine, "flood")
        let sink = try AgentChannel.decodeReply(SinkReport.self, from: PacketRateTests.sinkLine, "sink")
        let packetRate = try PacketRateMeasurement(flood: flood, sink: sink, filterDropped: 1000, enforces: true).samples(workload: "w")
        let before = try CPUTimes.parse("cpu  100 5 200 1000 10 1 50 7 0 0\n")
        let after = try CPUTimes.parse("cpu  150 5 260 1100 10 3 88 19 0 0\n")
        let counters = InterfaceCounters(rxPackets: 10, rxBytes: 1000, rxDropped: 1, txPackets: 20, txBytes: 2000, txDropped: 0)
        let collected = CPUCollector.samples(workload: "w", from: before, to: after)
            + InterfaceCollector.samples(workload: "w", server: counters, client: counters)
        return [
            ("throughput", ThroughputWorkload.metrics, iperf3),
            ("latency", LatencyWorkload.metrics, LatencyWorkload.samples(report, workload: "w")),
            ("connect", ConnectWorkload.metrics, ConnectWorkload.samples(report, workload: "w")),
            ("packet-rate", PacketRateWorkload.metrics, packetRate),
            ("connections", ConnectionsWorkload.metrics, ConnectionsWorkload.samples(
                try AgentChannel.decodeReply(ChurnReport.self, from: ConnectionWorkloadUnitTests.churnLine, "churn-client"),
                established: try AgentChannel.decodeReply(EstablishedReport.self, from: ConnectionWorkloadUnitTests.establishedLine,
                                                          "established-client"), workload: "w")),
            ("cpu", CPUCollector.metrics, CPUCollector.samples(workload: "w", from: before, to: after)),
            ("steal", StealCollector.metrics, StealCollector.samples(workload: "w", from: before, to: after)),
            ("interfaces", InterfaceCollector.metrics, InterfaceCollector.samples(workload: "w", server: counters, client: counters)),
            ("cpu per packet", CPUPerPacket.metrics, [try #require(CPUPerPacket.sample(workload: "w", from: collected))]),
        ]
    }

    @Test("every metric a producer records is one it declares, and the catalog has it")
    func producedMetricsAreCatalogued() throws {
        for (producer, declared, samples) in try Self.producedSamples() {
            #expect(!samples.isEmpty, "\(producer) produced nothing")
            for sample in samples {
                #expect(declared.contains { $0.name == sample.metric }, "\(producer) records undeclared \(sample.metric)")
                #expect(MetricCatalog.standard.contains(sample.metric), "\(producer) records uncatalogued \(sample.metric)")
            }
        }
        for metric in PolicyMetrics.all { #expect(MetricCatalog.standard.contains(metric.name)) }
    }

    @Test("the catalog has each name once, declared one way")
    func noDuplicates() {
        let names = MetricCatalog.all.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(MetricCatalog.standard.conflicts.isEmpty, "declared differently: \(MetricCatalog.standard.conflicts)")
    }

    @Test("assembly keeps the historical order (report columns), new metrics slotted in")
    func historicalOrder() {
        let names = MetricCatalog.all.map(\.name)
        #expect(names.filter(Self.historicalOrder.contains) == Self.historicalOrder)
        #expect(MetricCatalog.info("steal_share").unit == "ratio")
        #expect(MetricCatalog.info("throughput_gbps") == Iperf3Summary.throughputGbps)
        #expect(MetricCatalog.info("made_up").direction == .neutral)
    }

    @Test("a later group's metric lands after the one it follows; a redefinition is a conflict")
    func assembly() {
        func metric(_ name: String, _ unit: String = "ms") -> MetricInfo {
            MetricInfo(name: name, unit: unit, direction: .neutral, summary: name)
        }
        let catalog = MetricCatalog(assembling: [[metric("a"), metric("c")], [metric("x")], [metric("a"), metric("b"), metric("c", "s")]])
        #expect(catalog.entries.map(\.name) == ["a", "b", "c", "x"])
        #expect(catalog.conflicts == ["c"])
        #expect(catalog.metric(named: "c").unit == "ms")
    }

    @Test("Sample takes the typed metric's name")
    func typedSample() {
        #expect(Sample(workload: "w", metric: PolicyMetrics.installMs, value: 3) == Sample(workload: "w", metric: "install_ms", value: 3))
    }
}
