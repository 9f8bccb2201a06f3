/// Which way is better for a metric, so reports and `compare` know a regression from an improvement.
public enum Direction: String, Codable, Sendable {
    case higherIsBetter = "higher"
    case lowerIsBetter = "lower"
    /// Informational (counters, sizes): never gated.
    case neutral
}

/// One metric as its producer declares it. Names carry their unit (DESIGN.md, "Measurements").
/// Producers own these as typed constants (`Iperf3Summary.throughputGbps`, `CPUCollector.softirqMs`, …)
/// and record samples through `Sample(workload:metric:value:)`, so a name is spelled once.
public struct MetricInfo: Sendable, Equatable {
    public let name: String
    public let unit: String
    public let direction: Direction
    public let summary: String

    public init(name: String, unit: String, direction: Direction, summary: String) {
        self.name = name
        self.unit = unit
        self.direction = direction
        self.summary = summary
    }
}

/// Every metric benchlab records, assembled from the producers' own lists (workloads, collectors,
/// the policy metrics). The report sorts columns in catalog order, so assembly keeps each producer's
/// order and slots a metric a later producer adds right after the one it follows in that producer's
/// list (packet-rate's `pps_dropped` lands after `pps_sent`, which throughput declared first).
///
/// A metric missing from the catalog is reported as neutral with its name as summary (never gated):
/// the unit test "every produced metric is catalogued" keeps that from happening silently.
public struct MetricCatalog: Sendable {
    public let entries: [MetricInfo]
    /// Names declared twice with different unit, direction or summary: each should be one constant.
    public let conflicts: [String]
    private let byName: [String: MetricInfo]

    public init(assembling groups: [[MetricInfo]]) {
        var entries: [MetricInfo] = []
        var conflicts: [String] = []
        for group in groups {
            var previous: String?
            for metric in group {
                defer { previous = metric.name }
                if let known = entries.first(where: { $0.name == metric.name }) {
                    if known != metric, !conflicts.contains(metric.name) { conflicts.append(metric.name) }
                    continue
                }
                let after = previous.flatMap { name in entries.firstIndex { $0.name == name } }
                entries.insert(metric, at: after.map { $0 + 1 } ?? entries.endIndex)
            }
        }
        self.entries = entries
        self.conflicts = conflicts
        byName = Dictionary(entries.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func metric(named name: String) -> MetricInfo {
        byName[name] ?? MetricInfo(name: name, unit: "", direction: .neutral, summary: name)
    }

    public func contains(_ name: String) -> Bool { byName[name] != nil }
}
