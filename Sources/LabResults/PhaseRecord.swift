/// The wall time of one phase of one round. Names are fixed words (`topology`, `install`,
/// `equivalence`, `microbenchmarks`, `collectors`, `runtime`, `update`, `remove`, `teardown`) or a word and a
/// workload (`workload:<name>` from starting its servers to its last sample, `traffic:<name>` its
/// traffic window alone), so the report can tell the lab's own overhead from measuring.
public struct PhaseRecord: Codable, Sendable, Equatable {
    public var name: String
    public var milliseconds: Double

    public init(name: String, milliseconds: Double) {
        self.name = name
        self.milliseconds = milliseconds
    }

    enum CodingKeys: String, CodingKey {
        case name
        case milliseconds = "ms"
    }

    public static let topology = "topology"
    public static let install = "install"
    public static let equivalence = "equivalence"
    public static let microbenchmarks = "microbenchmarks"
    public static let runTime = "runtime"
    public static let update = "update"
    public static let remove = "remove"
    public static let teardown = "teardown"
    /// The collectors' reads at a traffic window's edges (outside the window itself).
    public static let collectors = "collectors"
    static let workloadPrefix = "workload:"
    static let trafficPrefix = "traffic:"

    public static func workload(_ name: String) -> String { workloadPrefix + name }
    public static func traffic(_ name: String) -> String { trafficPrefix + name }

    /// Whether this phase is a traffic window (the time a lab exists for).
    public var isTraffic: Bool { name.hasPrefix(Self.trafficPrefix) }

    /// The phase's kind with any workload name dropped: "workload", "traffic", or the name itself.
    public var kind: String {
        if name.hasPrefix(Self.workloadPrefix) { return "workload" }
        if isTraffic { return "traffic" }
        return name
    }
}
