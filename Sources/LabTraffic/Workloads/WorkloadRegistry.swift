import LabResults

/// Every workload kind benchlab knows, one line each, in the order the scenario reader lists their
/// keys and the metric catalog lists their metrics.
public enum WorkloadRegistry {
    public static var all: [any WorkloadDefinition.Type] {
        [
            ThroughputWorkload.self,
            LatencyWorkload.self,
            ConnectWorkload.self,
            PacketRateWorkload.self,
            ConnectionsWorkload.self,
            ConntrackGCWorkload.self,
            FloodGoodputWorkload.self,
            SNATExhaustionWorkload.self,
            MasqueradeDelayWorkload.self,
            EgressFailoverWorkload.self,
        ]
    }

    public static func definition(kind: String) -> (any WorkloadDefinition.Type)? {
        all.first { $0.kind == kind }
    }

    /// Each kind's metrics, one group per kind (the catalog merges them).
    public static var metricGroups: [[MetricInfo]] { all.map { $0.metrics } }
}
