import LabResults

/// Builds small run records for tests: each case gets a warm-up repeat (with wild values, which must
/// never count) and one counted repeat per value given.
struct RunBuilder {
    var scenario = "ci-gate"
    var schema = RunRecord.currentSchema
    var kernel = "6.8.0-49-generic"
    var cpuModel = "AMD EPYC 7763 64-Core Processor"
    var hostname = "lab-ci-01"
    var parameters: [ParameterRecord] = []
    /// The kind the one workload record ("tcp-throughput") declares.
    var workloadKind = "throughput"
    private var cases: [CaseRecord] = []

    init(scenario: String = "ci-gate") {
        self.scenario = scenario
    }

    /// `samples`: metric → one value per counted repeat, all in `workload`. `failedRepeats`: counted
    /// repeats (0-based) recorded as failed, with no samples.
    mutating func add(_ backend: String, point: [(String, String)] = [], workload: String = "tcp-throughput",
                      _ samples: [String: [Double]], status: CaseStatus = .ok, failedRepeats: Set<Int> = []) {
        let repeatCount = samples.values.map(\.count).max() ?? 0
        let warmup = RepeatRecord(index: 0, warmup: true, startedAt: "2025-11-20T10:00:00Z",
                                  samples: samples.keys.sorted().map { Sample(workload: workload, metric: $0, value: 1e9) })
        let counted = (0..<repeatCount).map { index in
            failedRepeats.contains(index)
                ? RepeatRecord(index: index + 1, warmup: false, startedAt: "2025-11-20T10:00:0\(index + 1)Z", failure: "agent crashed")
                : RepeatRecord(index: index + 1, warmup: false, startedAt: "2025-11-20T10:00:0\(index + 1)Z",
                         samples: samples.keys.sorted().compactMap { metric in
                             let values = samples[metric]!
                             return index < values.count ? Sample(workload: workload, metric: metric, value: values[index]) : nil
                         })
        }
        let id = CaseRecord.makeId(backend: backend, parameters: point)
        cases.append(CaseRecord(id: id, backend: backend, family: BackendFamily(schema1Backend: backend), parameters: Dictionary(uniqueKeysWithValues: point), status: status,
                                reason: status == .ok ? nil : "set-up failed", equivalence: EquivalenceRecord(probes: 10, mismatches: []),
                                repeats: status == .ok ? [warmup] + counted : []))
    }

    func record() -> RunRecord {
        let scenarioRecord = ScenarioRecord(
            name: scenario, description: "", sourcePath: "scenarios/\(scenario).yaml", sourceText: "", topology: "pair",
            backends: Array(Set(cases.map(\.backend))).sorted(), repeats: 3, warmup: 1, parameters: parameters,
            workloads: [WorkloadRecord(name: "tcp-throughput", kind: workloadKind, settings: "protocol=tcp")])
        let environment = EnvironmentRecord(hostname: hostname, kernel: kernel, cpuModel: cpuModel, cpus: 4,
                                            memoryBytes: 8 << 30)
        var record = RunRecord(runId: "run-\(scenario)-\(kernel)", benchlab: ToolInfo(version: "0.1.0", gitRevision: "test"),
                               startedAt: "2025-11-20T10:00:00Z", scenario: scenarioRecord, environment: environment,
                               cases: cases, status: .complete)
        record.schema = schema
        return record
    }
}
