import LabResults
import Testing
@testable import LabReport

@Suite("Report: the drop-point ladder")
struct DropLadderSectionTests {
    static let workload = "flood"

    static func run(deniedShare: String = "1", xdpCost: Double = 300, xdpBusy: Double = 0.6) -> RunAnalysis {
        var builder = RunBuilder(scenario: "drop-ladder")
        let point = [("rules", "10000")]
        builder.add("none", point: point, workload: workload, [
            "pps_sent": [290_000, 300_000, 310_000], "pps": [120_000, 121_000, 119_000], "rx_cpu_ns_per_pkt": [8000, 8100, 7900],
            "rx_softirq_share": [0.7], "rx_busy_ratio": [1.0], "ct_entries_added": [100],
        ])
        builder.add("iptables-legacy", point: point, workload: workload, [
            "pps_sent": [300_000], "pps_dropped": [40_000], "rx_cpu_ns_per_pkt": [25_000], "rx_softirq_share": [0.98],
            "rx_busy_ratio": [0.99], "ct_entries_added": [0],
        ])
        builder.add("xdp", point: point, workload: workload, [
            "pps_sent": [400_000], "pps_dropped": [400_000], "rx_cpu_ns_per_pkt": [xdpCost], "rx_softirq_share": [0.95],
            "rx_busy_ratio": [xdpBusy], "ct_entries_added": [0],
        ])
        builder.parameters = [ParameterRecord(name: "rules", values: ["10000"])]
        var record = builder.record()
        record.scenario.workloads = [WorkloadRecord(name: workload, kind: "packet-rate",
                                                    settings: "size=18B rate=unlimited denied_share=\(deniedShare) duration=1s")]
        // The program's own run time, recorded under the "policy" workload of the same case.
        let xdp = record.cases.firstIndex { $0.backend == "xdp" }!
        record.cases[xdp].repeats[1].samples.append(Sample(workload: "policy", metric: "bpf_ns_per_run", value: 41))
        record.environment.gates = ["xdp.drop_point": "xdp (native)", "iptables-legacy.drop_point": "iptables filter INPUT"]
        return RunAnalysis(record: record)
    }

    @Test("rungs ordered by receive CPU per dropped packet, the drop point from the gates, none's drops are its socket reads")
    func table() {
        let text = DropLadderSection(run: Self.run()).text
        #expect(text.hasPrefix("## Where the flood is dropped\n"))
        #expect(text.contains("### flood at rules=10000\n"))
        let xdp = text.range(of: "| 1 | xdp | xdp (native) | 400000 | 300 | 41.0 | 95% | 60% | 0 |")
        let none = text.range(of: "| 2 | none | — | 120000 [119000, 121000] | 8000 [7900, 8100] | — | 70% | 100% | 100 |")
        let iptables = text.range(of: "| 3 | iptables-legacy | iptables filter INPUT | 40000 | 25000 | — | 98% | 99% | 0 |")
        #expect(xdp != nil && none != nil && iptables != nil)
        if let xdp, let none, let iptables { #expect(xdp.lowerBound < none.lowerBound && none.lowerBound < iptables.lowerBound) }
    }

    @Test("the readings state the generator ceiling, the saturated rungs, the order and the XDP target")
    func readings() {
        let text = DropLadderSection(run: Self.run()).text
        #expect(text.contains("The generator was the limit for `xdp` (receive CPU busy below 90%): the flood sent at most 400000 packets/s there"))
        #expect(text.contains("`none`'s 120000 packets/s is what the application rung takes"))
        #expect(text.contains("The receive CPU carried 300000 packets/s up to the socket, which dropped all but those"))
        let saturated = DropLadderSection(run: Self.run(xdpBusy: 0.97)).text
        #expect(saturated.contains("The generator was never the limit: every rung kept its receive CPU busy 90% or more"))
        #expect(saturated.contains("The flood reached 400000 packets/s (`xdp`), a lower bound of the generator's ceiling."))
        #expect(text.contains("Cheapest per dropped packet: `xdp` (300 ns); most expensive: `iptables-legacy` (25000 ns)."))
        #expect(text.contains("here `iptables-legacy` cost more than the application"))
        #expect(text.contains("XDP against iptables `filter`: 0.0120× of its CPU per dropped packet (target ≤ 0.33×: met here)."))
        let missed = DropLadderSection(run: Self.run(xdpCost: 10_000)).text
        #expect(missed.contains("(target ≤ 0.33×: not met here)"))
    }

    @Test("no section unless the flood is denied entirely")
    func onlyForAWhollyDeniedFlood() {
        #expect(DropLadderSection(run: Self.run(deniedShare: "0.25")).text.isEmpty)
        #expect(DropLadderSection(run: ConntrackSectionTests.run()).text.isEmpty)
    }
}

extension DropLadderSectionTests {
    @Test("an open-loop flood: what it offered is the ceiling, and rungs that took nearly all of it were held back by the generator")
    func openLoopReading() {
        var builder = RunBuilder(scenario: "drop-ladder")
        builder.add("none", workload: Self.workload, ["pps_offered": [1_000_000], "pps_sent": [200_000], "pps": [200_000], "rx_cpu_ns_per_pkt": [5000]])
        builder.add("xdp", workload: Self.workload, ["pps_offered": [1_100_000], "pps_sent": [1_080_000], "pps_dropped": [1_080_000],
                                                      "rx_cpu_ns_per_pkt": [600]])
        builder.add("tc", workload: Self.workload, ["pps_offered": [900_000], "pps_sent": [500_000], "pps_dropped": [500_000],
                                                     "rx_cpu_ns_per_pkt": [1900]])
        var record = builder.record()
        record.scenario.workloads = [WorkloadRecord(name: Self.workload, kind: "packet-rate", settings: "denied_share=1 open_loop=true")]
        let text = DropLadderSection(run: RunAnalysis(record: record)).text
        #expect(text.contains("The flood ran open loop and offered 1000000 packets/s (`none`; 900000–1100000 across rungs)"))
        #expect(text.contains("`xdp` took 95% or more of what was offered"))
        #expect(!text.contains("The generator was never the limit"))
    }
}

extension DropLadderSectionTests {
    @Test("the three iptables rungs say what skipping conntrack and dropping before it saved")
    func conntrackSavings() {
        var builder = RunBuilder(scenario: "drop-ladder")
        builder.add("iptables-legacy", workload: Self.workload, ["pps_sent": [900_000], "pps_dropped": [900_000], "rx_cpu_ns_per_pkt": [1100]])
        builder.add("iptables-notrack", workload: Self.workload, ["pps_sent": [1_400_000], "pps_dropped": [1_400_000], "rx_cpu_ns_per_pkt": [660]])
        builder.add("iptables-raw", workload: Self.workload, ["pps_sent": [1_300_000], "pps_dropped": [1_300_000], "rx_cpu_ns_per_pkt": [220]])
        var record = builder.record()
        record.scenario.workloads = [WorkloadRecord(name: Self.workload, kind: "packet-rate", settings: "denied_share=1 open_loop=true")]
        let text = DropLadderSection(run: RunAnalysis(record: record)).text
        #expect(text.contains("Skipping conntrack (raw NOTRACK) changed the cost of a drop in filter INPUT by -440 ns (−40.0%)"))
        #expect(text.contains("Dropping in raw PREROUTING, before conntrack and routing, changed it by a further -440 ns (−66.7%)."))
    }
}
