import LabResults
import LabTopology

/// Interface counters over the window: what the server's interface received, what the client's sent.
public final class InterfaceCollector: WorkloadCollector {
    public static let rxPackets = MetricInfo(name: "rx_packets", unit: "packets", direction: .neutral,
                                             summary: "packets received by the server interface")
    public static let rxBytes = MetricInfo(name: "rx_bytes", unit: "bytes", direction: .neutral, summary: "bytes received by the server interface")
    public static let rxDropped = MetricInfo(name: "rx_dropped", unit: "packets", direction: .neutral,
                                             summary: "receive drops on the server interface")
    public static let txPackets = MetricInfo(name: "tx_packets", unit: "packets", direction: .neutral,
                                             summary: "packets sent by the client interface")
    public static let metrics = [rxPackets, rxBytes, rxDropped, txPackets]

    private let topology: Topology
    private var before: (server: InterfaceCounters, client: InterfaceCounters)?

    public init(topology: Topology) { self.topology = topology }

    public func open() throws { before = try read() }

    public func close(workload: String) throws -> CollectedData {
        guard let before else { return CollectedData() }
        let after = try read()
        return CollectedData(samples: Self.samples(workload: workload, server: after.server.delta(since: before.server),
                                                   client: after.client.delta(since: before.client)))
    }

    private func read() throws -> (server: InterfaceCounters, client: InterfaceCounters) {
        let server = topology.serverInterface
        let client = topology.clientInterface
        return (try InterfaceCounters.read(interface: server.name, namespace: server.namespace),
                try InterfaceCounters.read(interface: client.name, namespace: client.namespace))
    }

    /// `server` and `client`: the counters' change over the window.
    public static func samples(workload: String, server: InterfaceCounters, client: InterfaceCounters) -> [Sample] {
        [
            Sample(workload: workload, metric: rxPackets, value: Double(server.rxPackets)),
            Sample(workload: workload, metric: rxBytes, value: Double(server.rxBytes)),
            Sample(workload: workload, metric: rxDropped, value: Double(server.rxDropped)),
            Sample(workload: workload, metric: txPackets, value: Double(client.txPackets)),
        ]
    }
}
