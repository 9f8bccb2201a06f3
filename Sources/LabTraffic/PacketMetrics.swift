import LabResults

/// Packet counts two workloads share: UDP throughput (iperf3's own counts) and packet-rate (the flood
/// and the sink). One declaration each, so both record the same metric.
public enum PacketMetrics {
    public static let pps = MetricInfo(name: "pps", unit: "packets/s", direction: .higherIsBetter,
                                       summary: "packets received per second")
    public static let ppsSent = MetricInfo(name: "pps_sent", unit: "packets/s", direction: .neutral,
                                           summary: "packets offered per second by the generator")
    public static let lossRatio = MetricInfo(name: "loss_ratio", unit: "ratio", direction: .lowerIsBetter,
                                             summary: "datagrams lost / datagrams the filter should let through")
}
