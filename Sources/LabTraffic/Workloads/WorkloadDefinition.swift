import LabNetwork
import LabResults

/// One kind of workload: how the scenario file spells it, which settings it takes (as data, so the
/// scenario reader reads every kind the same way and a schema can be generated from them), what it
/// needs on the machine, what it measures, and how it runs.
///
/// Adding a workload kind is one file conforming to this protocol plus one line in `WorkloadRegistry`.
public protocol WorkloadDefinition: Sendable {
    /// The `type:` key in the scenario file, and `WorkloadRecord.kind` in run.json.
    static var kind: String { get }
    /// The settings keys it takes besides `type` and `name`, in the order they are read and listed.
    static var fields: [WorkloadField] { get }
    /// Checks between fields, given the values that read well (a missing value means "absent or
    /// already reported"): each issue becomes one scenario error.
    static func conflicts(in values: WorkloadValues) -> [WorkloadFieldIssue]
    /// The name results are keyed by when the scenario gives none (e.g. "tcp-throughput").
    static func defaultName(_ values: WorkloadValues) -> String
    /// Programs it runs that the host must have (preflight checks them before a run touches anything).
    static var requiredTools: [String] { get }
    /// Every metric `run` can record.
    static var metrics: [MetricInfo] { get }
    /// The few of `metrics` the A/B regression gate tests (`compare --paired`): one per effect, so a
    /// duplicate (pps beside pps_handled) or a count is shown but not gated, and the false-discovery
    /// correction is spent on numbers that matter. A kind that declares none is shown, never gated.
    static var primaryMetrics: [MetricInfo] { get }

    /// Builds the workload from values the reader has checked: every field is present (defaults
    /// filled in) except optional ones, and `conflicts` found nothing.
    init(values: WorkloadValues)

    var name: String { get set }
    /// Settings in effect, as one line for reports ("protocol=tcp streams=1 duration=5s").
    var settings: String { get }
    /// Upper bound on how long the workload may take, used for child-process deadlines.
    var maximumSeconds: Double { get }

    /// Drives the traffic between the client and server namespaces. `filter`: the policy and drop
    /// counter of the filter in the path (only workloads that need them look). `window` must be
    /// opened just before the traffic starts and closed just after it ends. Every child is started
    /// inside its namespace and reaped before this returns, also when it throws.
    func run(in context: TrafficContext, filter: FilterUnderTest, window: TrafficWindow) throws -> [Sample]

    /// `run`, plus the curves the workload recorded along the way (the latency ladder). Defaults to
    /// `run` with no series; a workload that records series implements this and `run` drops them.
    func measure(in context: TrafficContext, filter: FilterUnderTest, window: TrafficWindow) throws -> WorkloadMeasurement

    /// Equality across the existential (`Workload` compares through it).
    func isEqual(to other: any WorkloadDefinition) -> Bool
}

extension WorkloadDefinition {
    public static func conflicts(in values: WorkloadValues) -> [WorkloadFieldIssue] { [] }
    public static var requiredTools: [String] { [] }
    public static var primaryMetrics: [MetricInfo] { [] }

    public func measure(in context: TrafficContext, filter: FilterUnderTest, window: TrafficWindow) throws -> WorkloadMeasurement {
        WorkloadMeasurement(samples: try run(in: context, filter: filter, window: window))
    }
}

/// What one run of a workload measured: its numbers and any curves (stored per repeat in run.json).
public struct WorkloadMeasurement: Sendable, Equatable {
    public var samples: [Sample]
    public var series: [Series]

    public init(samples: [Sample], series: [Series] = []) {
        self.samples = samples
        self.series = series
    }
}

extension WorkloadDefinition where Self: Equatable {
    public func isEqual(to other: any WorkloadDefinition) -> Bool { (other as? Self) == self }
}

/// One settings key of a workload kind, declared as data.
public struct WorkloadField: Sendable, Equatable {
    /// How the value is written and checked; each maps to one of the scenario reader's typed reads.
    public enum Kind: Sendable, Equatable {
        /// tcp or udp (a `TransportProtocol`).
        case transportProtocol
        case integer(ClosedRange<Int>)
        /// A duration such as 5s or 500ms, in milliseconds; `wholeSeconds` for tools that count in seconds.
        case milliseconds(ClosedRange<Int>, wholeSeconds: Bool)
        /// A size such as 64, 128K or 1M, in bytes.
        case bytes(ClosedRange<Int>)
        /// 0 (unlimited) or a rate such as 10G or 500M, in bit/s.
        case bitsPerSecond
        /// 0 (unlimited) or a rate such as 100k, in packets/s.
        case packetsPerSecond
        /// A fraction in [0, 1].
        case share
        /// A plain decimal number in the range (a multiple of a size, such as 1.1).
        case number(ClosedRange<Double>)
        /// An IPv4 address or prefix such as 198.19.0.0/16 (host bits zero).
        case ipv4Prefix
        /// true or false.
        case boolean
    }

    public enum Presence: Sendable, Equatable {
        case required
        /// Absent means "not set" (the workload's tool picks).
        case optional
        case defaulted(WorkloadValue)
    }

    public let key: String
    public let kind: Kind
    public let presence: Presence
    /// The default name is derived from this field, so it cannot vary between variants unless the
    /// workload is named explicitly.
    public let namesTheWorkload: Bool

    public init(_ key: String, _ kind: Kind, _ presence: Presence, namesTheWorkload: Bool = false) {
        self.key = key
        self.kind = kind
        self.presence = presence
        self.namesTheWorkload = namesTheWorkload
    }
}

/// A settings value as read (integers for counts, milliseconds, bytes and rates).
public enum WorkloadValue: Sendable, Equatable {
    case integer(Int)
    case number(Double)
    case transport(TransportProtocol)
    case prefix(IPv4Prefix)
    case boolean(Bool)
}

/// The values of one workload entry, keyed by field key, with the text each was written as (for
/// messages that quote it).
public struct WorkloadValues: Sendable, Equatable {
    public var values: [String: WorkloadValue]
    /// Keys the entry wrote, valid or not (a check may reject a key's mere presence).
    public var written: Set<String>
    /// The text sizes were written as, for messages that quote it.
    public var texts: [String: String]

    public init(values: [String: WorkloadValue] = [:], written: Set<String> = [], texts: [String: String] = [:]) {
        self.values = values
        self.written = written
        self.texts = texts
    }

    public func integer(_ key: String) -> Int? {
        guard case .integer(let value) = values[key] else { return nil }
        return value
    }

    public func number(_ key: String) -> Double? {
        switch values[key] {
        case .number(let value): return value
        case .integer(let value): return Double(value)
        default: return nil
        }
    }

    public func transport(_ key: String) -> TransportProtocol? {
        guard case .transport(let value) = values[key] else { return nil }
        return value
    }

    public func prefix(_ key: String) -> IPv4Prefix? {
        guard case .prefix(let value) = values[key] else { return nil }
        return value
    }

    public func boolean(_ key: String) -> Bool? {
        guard case .boolean(let value) = values[key] else { return nil }
        return value
    }

    public func has(_ key: String) -> Bool { values[key] != nil }
}

/// A problem between fields, reported at the field's value or at its key.
public struct WorkloadFieldIssue: Sendable, Equatable {
    public enum Place: Sendable, Equatable { case value, key }

    public let key: String
    public let place: Place
    public let message: String

    public init(key: String, at place: Place, _ message: String) {
        self.key = key
        self.place = place
        self.message = message
    }
}
