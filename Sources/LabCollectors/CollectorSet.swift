import LabConntrack
import LabResults
import LabTopology

/// The collectors of one traffic window.
public final class CollectorSet {
    private let collectors: [any WorkloadCollector]

    public init(topology: Topology, tracker: (any ConnectionTracker)? = nil,
                kinds: [any WorkloadCollector.Type] = CollectorRegistry.all) {
        collectors = kinds.map { $0.init(topology: topology, tracker: tracker) }
    }

    public func open() throws {
        for collector in collectors { try collector.open() }
    }

    /// Every collector's data for `workload`, then the metrics derived from them.
    public func close(workload: String) throws -> CollectedData {
        var data = CollectedData()
        for collector in collectors { data = data + (try collector.close(workload: workload)) }
        if let perPacket = CPUPerPacket.sample(workload: workload, from: data.samples) { data.samples.append(perPacket) }
        return data
    }
}
