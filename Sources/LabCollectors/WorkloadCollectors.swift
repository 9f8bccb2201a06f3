import LabResults
import LabSystem
import LabTopology

/// Counters read when a workload's traffic window opens and when it closes (TrafficWindow): machine
/// CPU time and the interface counters at both ends. Turned into samples so later stages can
/// compute CPU per packet.
public struct CollectorSnapshot: Sendable {
    public var cpu: CPUTimes
    public var server: InterfaceCounters
    public var client: InterfaceCounters
    public var nanoseconds: UInt64

    public static func take(_ topology: Topology) throws -> CollectorSnapshot {
        let server = topology.serverInterface
        let client = topology.clientInterface
        return CollectorSnapshot(cpu: try CPUTimes.read(),
                                 server: try InterfaceCounters.read(interface: server.name, namespace: server.namespace),
                                 client: try InterfaceCounters.read(interface: client.name, namespace: client.namespace),
                                 nanoseconds: MonotonicClock.nanoseconds())
    }

    /// cpu_* (ms over the workload), rx_* at the server, tx_packets at the client, and
    /// cpu_ns_per_pkt = (softirq + system CPU) / packets the client sent: every packet the path and
    /// the filter handled, including the ones a filter dropped (dividing by what reached the server
    /// would charge a dropping filter for packets it never forwarded).
    public static func samples(workload: String, from before: CollectorSnapshot, to after: CollectorSnapshot) -> [Sample] {
        let usage = CPUUsage(from: before.cpu, to: after.cpu)
        let server = after.server.delta(since: before.server)
        let client = after.client.delta(since: before.client)
        var samples = [
            Sample(workload: workload, metric: "cpu_softirq_ms", value: usage.softirqMs),
            Sample(workload: workload, metric: "cpu_system_ms", value: usage.systemMs),
            Sample(workload: workload, metric: "cpu_user_ms", value: usage.userMs),
            Sample(workload: workload, metric: "cpu_busy_ratio", value: usage.busyRatio),
            Sample(workload: workload, metric: "rx_packets", value: Double(server.rxPackets)),
            Sample(workload: workload, metric: "rx_bytes", value: Double(server.rxBytes)),
            Sample(workload: workload, metric: "rx_dropped", value: Double(server.rxDropped)),
            Sample(workload: workload, metric: "tx_packets", value: Double(client.txPackets)),
        ]
        if client.txPackets > 0 {
            let ns = (usage.softirqMs + usage.systemMs) * 1e6 / Double(client.txPackets)
            samples.append(Sample(workload: workload, metric: "cpu_ns_per_pkt", value: ns))
        }
        return samples
    }
}
