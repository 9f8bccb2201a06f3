import LabCollectors
import LabResults

/// The receive CPU's cost of a packet-rate run with its receive path steered (`ReceiveSteering`):
/// one CPU's /proc/stat delta around the flood, over the packets the filter point disposed of.
/// The machine-wide `cpu_ns_per_pkt` mixes the generator in; this is the receiving side alone, the
/// figure to compare where the generator, not the receive side, sets the rate.
///
/// - `rx_cpu_ns_per_pkt`: the receive CPU's busy ns (softirq + system + user, the sink included:
///   it is the application the packets reach) per packet it carried to its end: delivered to the
///   sink, dropped by the filter, or dropped at the sink's full socket. The last are whole trips
///   through the stack too: under an open-loop flood the socket drops most of what `none` receives
///   (over 900k/s of 1M/s here), and leaving them out would charge the 80k read for all of them.
/// - `rx_softirq_share`: softirq / busy on the receive CPU (threaded NAPI counts as system).
/// - `rx_busy_ratio`: the receive CPU's busy share of the window: ≈1 means the receive side was the
///   limit, well below 1 means the generator was.
/// - `rx_cpu`: which CPU that was (a fact, recorded so the report can say how it was arranged).
public struct ReceiveCPUCost: Sendable, Equatable {
    public var usage: OneCPUUsage
    public var handledPackets: UInt64

    public init(usage: OneCPUUsage, handledPackets: UInt64) {
        self.usage = usage
        self.handledPackets = handledPackets
    }

    public static let nsPerPacket = MetricInfo(name: "rx_cpu_ns_per_pkt", unit: "ns", direction: .lowerIsBetter,
                                               summary: "receive CPU's busy time per packet delivered, dropped by the filter or dropped at the sink's socket")
    public static let softirqShare = MetricInfo(name: "rx_softirq_share", unit: "ratio", direction: .neutral,
                                                summary: "softirq share of the receive CPU's busy time")
    public static let busyRatio = MetricInfo(name: "rx_busy_ratio", unit: "ratio", direction: .neutral,
                                             summary: "receive CPU busy share of the window (≈1: receive side was the limit)")
    public static let cpu = MetricInfo(name: "rx_cpu", unit: "cpu", direction: .neutral,
                                       summary: "the CPU the receive path was steered to")
    public static let napiThreads = MetricInfo(name: "rx_napi_threads", unit: "count", direction: .neutral,
                                               summary: "NAPI kthreads pinned to the receive CPU (0: the interface had no NAPI)")
    public static let metrics = [nsPerPacket, softirqShare, busyRatio, cpu, napiThreads]

    public func samples(workload: String, arrangement: ReceiveSteering.Applied) -> [Sample] {
        var samples = [
            Sample(workload: workload, metric: Self.softirqShare, value: usage.softirqShare),
            Sample(workload: workload, metric: Self.busyRatio, value: usage.busyRatio),
            Sample(workload: workload, metric: Self.cpu, value: Double(arrangement.steering.cpu)),
            Sample(workload: workload, metric: Self.napiThreads, value: Double(arrangement.napiThreads.count)),
        ]
        if handledPackets > 0 {
            samples.insert(Sample(workload: workload, metric: Self.nsPerPacket, value: usage.busyNs / Double(handledPackets)), at: 0)
        }
        return samples
    }
}
