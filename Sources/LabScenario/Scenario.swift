import LabBackends
import LabPolicy
import LabTopology
import LabTraffic

/// A validated scenario: what to build, which backends to compare, which workloads to drive, and the
/// parameter sweep expanded into variants. Produced only by `ScenarioParser`; every value here has
/// passed validation.
public struct Scenario: Sendable, Equatable {
    public var name: String
    public var description: String
    /// The file it was read from, and its text verbatim (recorded in run.json).
    public var sourcePath: String
    public var sourceText: String
    /// A preset, or a custom topology declared in the file.
    public var topology: TopologySource
    public var backends: [BackendKind]
    public var repeats: Int
    public var warmup: Int
    public var parameters: [Parameter]
    /// One per point of the sweep (the cartesian product of parameter values, first parameter
    /// varying slowest), each with its parameters substituted. One variant when there are none.
    public var variants: [Variant]
    /// Whether nf_conntrack runs in the filter point's namespace for every backend (`host_conntrack`).
    public var hostConntrack: Bool
    /// `capture: N`: the first N packets the server side sees of each workload are saved as a .pcap in
    /// the run directory (captures/), per case and round, for Wireshark. nil: no capture.
    public var capturePackets: Int?
    /// Enough for a handshake-level look at a workload, bounded so a flood cannot fill the disk.
    public static let capturePacketRange = 1...100_000

    public init(name: String, description: String, sourcePath: String, sourceText: String, topology: TopologySource,
                backends: [BackendKind], repeats: Int, warmup: Int, parameters: [Parameter], variants: [Variant],
                hostConntrack: Bool = false, capturePackets: Int? = nil) {
        self.name = name
        self.description = description
        self.sourcePath = sourcePath
        self.sourceText = sourceText
        self.topology = topology
        self.backends = backends
        self.repeats = repeats
        self.warmup = warmup
        self.parameters = parameters
        self.variants = variants
        self.hostConntrack = hostConntrack
        self.capturePackets = capturePackets
    }

    /// Every case, backend-major within a variant: for each variant, each backend in scenario order.
    /// The runner interleaves these across repeats (A B C A B C …).
    public func cases(backends only: [BackendKind]? = nil) -> [CaseSpec] {
        let chosen = only.map { wanted in backends.filter(wanted.contains) } ?? backends
        return variants.flatMap { variant in chosen.map { CaseSpec(backend: $0, variant: variant) } }
    }

    /// Workloads of the first variant: names and kinds are the same in every variant.
    public var workloadNames: [String] { variants.first?.workloads.map(\.name) ?? [] }
}

/// A swept parameter: `rules: [1, 100, 1000]` in the file. Values are kept as the text written.
public struct Parameter: Sendable, Equatable {
    public var name: String
    public var values: [String]
    public init(name: String, values: [String]) {
        self.name = name
        self.values = values
    }
}

/// One point of the sweep with everything resolved.
public struct Variant: Sendable, Equatable {
    /// Parameter name and value, in the scenario's parameter order. Empty without a sweep.
    public var point: [ParameterBinding]
    public var workloads: [Workload]
    /// The filter policy every backend installs; `allowAll` when the scenario has none.
    public var policy: Policy

    public init(point: [ParameterBinding], workloads: [Workload], policy: Policy = .allowAll) {
        self.point = point
        self.workloads = workloads
        self.policy = policy
    }
}

public struct ParameterBinding: Sendable, Equatable, Hashable {
    public var name: String
    public var value: String
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// One backend at one variant: the unit the runner schedules.
public struct CaseSpec: Sendable, Equatable {
    public var backend: BackendKind
    public var variant: Variant
    public init(backend: BackendKind, variant: Variant) {
        self.backend = backend
        self.variant = variant
    }

    /// "backend" or "backend[rules=100,…]" — the same id run.json and compare use.
    public var id: String {
        guard !variant.point.isEmpty else { return backend.rawValue }
        return "\(backend.rawValue)[" + variant.point.map { "\($0.name)=\($0.value)" }.joined(separator: ",") + "]"
    }
}
