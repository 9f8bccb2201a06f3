import Foundation
import LabIPAM

/// run.json: one self-describing, versioned record of a run (flent's habit): the scenario as it was
/// run, the machine it ran on, and every raw sample of every repeat of every case. Reports, CSV and
/// `compare` are all derived from this file alone. The schema is documented in results/README.md;
/// bump `RunRecord.currentSchema` on any incompatible change.
public struct RunRecord: Codable, Sendable, Equatable {
    public static let currentSchema = "benchlab.run/2"
    /// Schemas this benchlab reads: /2 added each case's backend family and each round's phase
    /// times; a /1 record reads with families from `BackendFamily(schema1Backend:)` and no phases.
    public static let readableSchemas = ["benchlab.run/1", currentSchema]

    public var schema: String
    public var runId: String
    public var benchlab: ToolInfo
    public var startedAt: String
    public var finishedAt: String?
    public var status: RunStatus
    public var scenario: ScenarioRecord
    public var environment: EnvironmentRecord
    public var cases: [CaseRecord]
    /// The IPAM plan of the run's topology (pools, node pod CIDRs, pod addresses), from the first
    /// topology built; nil for topologies without pods. Optional: older records have none.
    public var addressPlan: AddressPlanRecord?

    public init(runId: String, benchlab: ToolInfo, startedAt: String, scenario: ScenarioRecord,
                environment: EnvironmentRecord, cases: [CaseRecord] = [], status: RunStatus = .running) {
        self.schema = RunRecord.currentSchema
        self.runId = runId
        self.benchlab = benchlab
        self.startedAt = startedAt
        self.status = status
        self.scenario = scenario
        self.environment = environment
        self.cases = cases
    }

    enum CodingKeys: String, CodingKey {
        case schema, benchlab, status, scenario, environment, cases
        case runId = "run_id", startedAt = "started_at", finishedAt = "finished_at", addressPlan = "address_plan"
    }
}

public enum RunStatus: String, Codable, Sendable {
    case running, complete, interrupted
}

public struct ToolInfo: Codable, Sendable, Equatable {
    public var version: String
    /// `git describe --always --dirty` of the benchlab checkout that built the binary, or "unknown".
    public var gitRevision: String

    public init(version: String, gitRevision: String) {
        self.version = version
        self.gitRevision = gitRevision
    }

    enum CodingKeys: String, CodingKey {
        case version
        case gitRevision = "git_revision"
    }
}

/// The scenario as run: its source text verbatim (so the run can be repeated) plus the resolved facts
/// the report needs without re-parsing YAML.
public struct ScenarioRecord: Codable, Sendable, Equatable {
    public var name: String
    public var description: String
    public var sourcePath: String
    public var sourceText: String
    public var topology: String
    public var backends: [String]
    public var repeats: Int
    public var warmup: Int
    public var parameters: [ParameterRecord]
    /// Workload names in scenario order; report tables follow this order.
    public var workloads: [WorkloadRecord]

    public init(name: String, description: String, sourcePath: String, sourceText: String, topology: String,
                backends: [String], repeats: Int, warmup: Int, parameters: [ParameterRecord],
                workloads: [WorkloadRecord]) {
        self.name = name
        self.description = description
        self.sourcePath = sourcePath
        self.sourceText = sourceText
        self.topology = topology
        self.backends = backends
        self.repeats = repeats
        self.warmup = warmup
        self.parameters = parameters
        self.workloads = workloads
    }

    enum CodingKeys: String, CodingKey {
        case name, description, topology, backends, warmup, parameters, workloads
        case sourcePath = "source_path", sourceText = "source_text", repeats = "repeat"
    }
}

public struct ParameterRecord: Codable, Sendable, Equatable {
    public var name: String
    public var values: [String]
    public init(name: String, values: [String]) {
        self.name = name
        self.values = values
    }
}

public struct WorkloadRecord: Codable, Sendable, Equatable {
    /// Unique within the scenario, e.g. "tcp-throughput".
    public var name: String
    /// The workload type: throughput, latency, connect, packet-rate, …
    public var kind: String
    /// The settings in effect, as text, for the report ("protocol=tcp streams=1 duration=5s").
    public var settings: String

    public init(name: String, kind: String, settings: String) {
        self.name = name
        self.kind = kind
        self.settings = settings
    }
}

/// The machine: what a reader needs to judge whether two runs are comparable.
public struct EnvironmentRecord: Codable, Sendable, Equatable {
    public var hostname: String
    public var kernel: String
    public var cpuModel: String
    public var cpus: Int
    public var memoryBytes: UInt64
    /// Tool name → the version it printed.
    public var tools: [String: String]
    /// Sysctls that change results (bpf_jit_enable, conntrack limits, …) as read at start.
    public var sysctls: [String: String]
    /// Facts in effect that decide how to read the numbers: XDP mode, iptables variant, tcx/clsact…
    public var gates: [String: String]
    /// Warnings a reader must see next to the numbers (e.g. XDP on veth disables GRO).
    public var caveats: [String]

    public init(hostname: String, kernel: String, cpuModel: String, cpus: Int, memoryBytes: UInt64,
                tools: [String: String] = [:], sysctls: [String: String] = [:],
                gates: [String: String] = [:], caveats: [String] = []) {
        self.hostname = hostname
        self.kernel = kernel
        self.cpuModel = cpuModel
        self.cpus = cpus
        self.memoryBytes = memoryBytes
        self.tools = tools
        self.sysctls = sysctls
        self.gates = gates
        self.caveats = caveats
    }

    enum CodingKeys: String, CodingKey {
        case hostname, kernel, cpus, tools, sysctls, gates, caveats
        case cpuModel = "cpu_model", memoryBytes = "memory_bytes"
    }
}

/// One backend at one parameter point.
public struct CaseRecord: Codable, Sendable, Equatable {
    /// "backend" or "backend[name=value,…]": stable across runs of the same scenario, used by compare.
    public var id: String
    public var backend: String
    /// The backend's family as the backend declared it; nil only for an unknown backend in a /1 record.
    public var family: BackendFamily?
    /// Parameter name → value, for this point of the sweep.
    public var parameters: [String: String]
    public var status: CaseStatus
    /// Why the case failed or was skipped (one line), nil when ok.
    public var reason: String?
    public var equivalence: EquivalenceRecord?
    public var repeats: [RepeatRecord]

    public init(id: String, backend: String, family: BackendFamily?, parameters: [String: String], status: CaseStatus = .ok,
                reason: String? = nil, equivalence: EquivalenceRecord? = nil, repeats: [RepeatRecord] = []) {
        self.id = id
        self.backend = backend
        self.family = family
        self.parameters = parameters
        self.status = status
        self.reason = reason
        self.equivalence = equivalence
        self.repeats = repeats
    }

    /// The canonical id: backend, then the parameter point in the scenario's parameter order.
    public static func makeId(backend: String, parameters: [(String, String)]) -> String {
        guard !parameters.isEmpty else { return backend }
        return "\(backend)[" + parameters.map { "\($0.0)=\($0.1)" }.joined(separator: ",") + "]"
    }

    enum CodingKeys: String, CodingKey {
        case id, backend, family, parameters, status, reason, equivalence, repeats
    }

    /// A /1 record has no `family`: it is the one that schema's backends were known to have.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        backend = try container.decode(String.self, forKey: .backend)
        family = try container.decodeIfPresent(BackendFamily.self, forKey: .family) ?? BackendFamily(schema1Backend: backend)
        parameters = try container.decode([String: String].self, forKey: .parameters)
        status = try container.decode(CaseStatus.self, forKey: .status)
        reason = try container.decodeIfPresent(String.self, forKey: .reason)
        equivalence = try container.decodeIfPresent(EquivalenceRecord.self, forKey: .equivalence)
        repeats = try container.decode([RepeatRecord].self, forKey: .repeats)
    }

    /// Samples of every counted (non-warm-up, successful) repeat.
    public var countedSamples: [Sample] {
        repeats.filter { !$0.warmup && $0.failure == nil }.flatMap(\.samples)
    }
}

public enum CaseStatus: String, Codable, Sendable {
    /// Every counted repeat produced samples.
    case ok
    /// Set-up, equivalence or a workload failed; `reason` says which.
    case failed
    /// Not run: a backend or feature this host lacks, or the run was interrupted first.
    case skipped
}

/// Proof that the backend enforced the policy: probes sent through the topology, verdicts compared
/// with the reference evaluator.
public struct EquivalenceRecord: Codable, Sendable, Equatable {
    public var probes: Int
    /// How many probes disagreed with the reference; `mismatches` lists the first of them.
    public var mismatchCount: Int
    public var mismatches: [ProbeMismatch]
    /// The slowest probe answer, in ms: how far the run's "denied" waits were from the answers it saw.
    public var slowestAnswerMilliseconds: Double?
    /// Probes sent a second time with the full wait, because the short one could not be trusted.
    public var recheckedProbes: Int?
    /// For an SNAT policy: what the capture on the external server's side saw while the probes ran.
    public var natCapture: NATCaptureRecord?
    public var passed: Bool { mismatchCount == 0 }

    public init(probes: Int, mismatches: [ProbeMismatch]) {
        self.probes = probes
        self.mismatchCount = mismatches.count
        self.mismatches = mismatches
    }

    enum CodingKeys: String, CodingKey {
        case probes, mismatches
        case mismatchCount = "mismatch_count"
        case slowestAnswerMilliseconds = "slowest_answer_ms"
        case recheckedProbes = "rechecked_probes"
        case natCapture = "nat_capture"
    }

    /// `mismatch_count` may be absent in hand-written records: then it is the listed mismatches.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        probes = try container.decode(Int.self, forKey: .probes)
        mismatches = try container.decode([ProbeMismatch].self, forKey: .mismatches)
        mismatchCount = try container.decodeIfPresent(Int.self, forKey: .mismatchCount) ?? mismatches.count
        slowestAnswerMilliseconds = try container.decodeIfPresent(Double.self, forKey: .slowestAnswerMilliseconds)
        recheckedProbes = try container.decodeIfPresent(Int.self, forKey: .recheckedProbes)
        natCapture = try container.decodeIfPresent(NATCaptureRecord.self, forKey: .natCapture)
    }
}

/// The NAT equivalence's capture on the external server's interfaces (libpcap), as run.json keeps it:
/// what was seen, which egress addresses and port span the translations used, and the offending
/// flows (capped), each with its reason.
public struct NATCaptureRecord: Codable, Sendable, Equatable {
    public var packetsSeen: Int
    public var towardServer: Int
    public var replies: Int
    public var translatedFlows: Int
    public var egressAddressesUsed: [String]
    public var lowestPort: Int?
    public var highestPort: Int?
    public var offendingFlows: Int
    public var offending: [String]

    public init(packetsSeen: Int, towardServer: Int, replies: Int, translatedFlows: Int, egressAddressesUsed: [String],
                lowestPort: Int?, highestPort: Int?, offendingFlows: Int, offending: [String]) {
        self.packetsSeen = packetsSeen
        self.towardServer = towardServer
        self.replies = replies
        self.translatedFlows = translatedFlows
        self.egressAddressesUsed = egressAddressesUsed
        self.lowestPort = lowestPort
        self.highestPort = highestPort
        self.offendingFlows = offendingFlows
        self.offending = offending
    }

    enum CodingKeys: String, CodingKey {
        case packetsSeen = "packets_seen", towardServer = "toward_server", replies, translatedFlows = "translated_flows"
        case egressAddressesUsed = "egress_addresses_used", lowestPort = "lowest_port", highestPort = "highest_port"
        case offendingFlows = "offending_flows", offending
    }
}

public struct ProbeMismatch: Codable, Sendable, Equatable {
    /// The flow, e.g. "tcp 198.19.0.7:40001 -> 198.18.1.2:5201".
    public var flow: String
    public var expected: String
    public var observed: String

    public init(flow: String, expected: String, observed: String) {
        self.flow = flow
        self.expected = expected
        self.observed = observed
    }
}

public struct RepeatRecord: Codable, Sendable, Equatable {
    /// Position in the interleaved schedule, 0-based, warm-ups included.
    public var index: Int
    public var warmup: Bool
    public var startedAt: String
    public var samples: [Sample]
    public var series: [Series]
    /// Wall time of each phase of the round, in order (schema /2; empty in /1 records).
    public var phases: [PhaseRecord]
    public var failure: String?

    public init(index: Int, warmup: Bool, startedAt: String, samples: [Sample] = [], series: [Series] = [],
                phases: [PhaseRecord] = [], failure: String? = nil) {
        self.index = index
        self.warmup = warmup
        self.startedAt = startedAt
        self.samples = samples
        self.series = series
        self.phases = phases
        self.failure = failure
    }

    enum CodingKeys: String, CodingKey {
        case index, warmup, samples, series, phases, failure
        case startedAt = "started_at"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        index = try container.decode(Int.self, forKey: .index)
        warmup = try container.decode(Bool.self, forKey: .warmup)
        startedAt = try container.decode(String.self, forKey: .startedAt)
        samples = try container.decode([Sample].self, forKey: .samples)
        series = try container.decode([Series].self, forKey: .series)
        phases = try container.decodeIfPresent([PhaseRecord].self, forKey: .phases) ?? []
        failure = try container.decodeIfPresent(String.self, forKey: .failure)
    }
}

/// One number measured once: `metric` carries its unit in its name (throughput_gbps, latency_p99_us).
public struct Sample: Codable, Sendable, Equatable {
    public var workload: String
    public var metric: String
    public var value: Double

    public init(workload: String, metric: String, value: Double) {
        self.workload = workload
        self.metric = metric
        self.value = value
    }

    /// A sample of a declared metric: the name comes from the producer's constant, never retyped.
    public init(workload: String, metric: MetricInfo, value: Double) {
        self.init(workload: workload, metric: metric.name, value: value)
    }
}

/// A curve measured within one repeat (conntrack fill over time, drops against occupancy, …).
public struct Series: Codable, Sendable, Equatable {
    public var workload: String
    public var name: String
    public var xLabel: String
    public var yLabel: String
    public var x: [Double]
    public var y: [Double]

    public init(workload: String, name: String, xLabel: String, yLabel: String, x: [Double], y: [Double]) {
        self.workload = workload
        self.name = name
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.x = x
        self.y = y
    }

    enum CodingKeys: String, CodingKey {
        case workload, name, x, y
        case xLabel = "x_label", yLabel = "y_label"
    }
}
