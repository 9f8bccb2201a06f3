import LabResults

/// cpu_ns_per_pkt = (softirq + system CPU) / packets the client sent: every packet the path and the
/// filter handled, including the ones a filter dropped (dividing by what reached the server would
/// charge a dropping filter for packets it never forwarded). Derived from two collectors' samples
/// rather than measured, so it is computed once all of a window's collectors have closed.
public enum CPUPerPacket {
    public static let nsPerPacket = MetricInfo(name: "cpu_ns_per_pkt", unit: "ns", direction: .lowerIsBetter,
                                               summary: "(softirq + system) CPU per packet sent by the client")
    public static let metrics = [nsPerPacket]

    /// nil when the window's samples lack an input or the client sent nothing.
    public static func sample(workload: String, from samples: [Sample]) -> Sample? {
        func value(_ metric: MetricInfo) -> Double? {
            samples.first { $0.workload == workload && $0.metric == metric.name }?.value
        }
        guard let softirq = value(CPUCollector.softirqMs), let system = value(CPUCollector.systemMs),
              let sent = value(InterfaceCollector.txPackets), sent > 0 else { return nil }
        return Sample(workload: workload, metric: nsPerPacket, value: (softirq + system) * 1e6 / sent)
    }
}
