import Foundation
import LabBackends
import LabCollectors
import LabResults
import LabScenario
import LabSystem
import LabTopology

/// How a run is asked for (CLI flags resolved).
public struct RunOptions: Sendable {
    public var scenario: Scenario
    /// Only these backends (must be in the scenario); nil = all of the scenario's.
    public var backends: [BackendKind]?
    public var repeats: Int?
    public var warmup: Int?
    /// The directory under which `<UTC time>-<scenario>/` is created.
    public var outputParent: String
    public var agentExecutable: String
    /// The command line, recorded as the journal owner.
    public var commandLine: String
    public var benchlab: ToolInfo

    public init(scenario: Scenario, backends: [BackendKind]? = nil, repeats: Int? = nil, warmup: Int? = nil,
                outputParent: String, agentExecutable: String, commandLine: String, benchlab: ToolInfo) {
        self.scenario = scenario
        self.backends = backends
        self.repeats = repeats
        self.warmup = warmup
        self.outputParent = outputParent
        self.agentExecutable = agentExecutable
        self.commandLine = commandLine
        self.benchlab = benchlab
    }
}

/// Told about progress; the CLI prints it.
public protocol RunObserver: AnyObject {
    func runStarted(directory: String, plan: RunPlan)
    func stepStarted(_ step: RunPlan.Step, plan: RunPlan)
    func stepFinished(_ step: RunPlan.Step, plan: RunPlan, failure: String?)
}

public struct RunResult: Sendable {
    public var directory: String
    public var record: RunRecord
    public var runJSONPath: String { "\(directory)/run.json" }
    public var failedCases: [CaseRecord] { record.cases.filter { $0.status == .failed } }
}

/// One `benchlab run`: preflight, then every scheduled step, writing run.json after each so a crash
/// or interrupt still leaves every finished measurement on disk. Teardown always runs; a failing case
/// is recorded with its reason and the others go on.
public final class BenchmarkRun {
    let options: RunOptions
    weak var observer: (any RunObserver)?

    public init(options: RunOptions, observer: (any RunObserver)?) {
        self.options = options
        self.observer = observer
    }

    public func execute() throws -> RunResult {
        let scenario = options.scenario
        let cases = scenario.cases(backends: options.backends)
        let plan = RunPlan(cases: cases, warmup: options.warmup ?? scenario.warmup, repeats: options.repeats ?? scenario.repeats)
        try Preflight.requireRunnable(scenario: scenario, backends: Set(cases.map(\.backend)))

        let runId = LabNames.newID()
        let directory = try makeRunDirectory(runId: runId)
        let journal = try Journal.create(id: runId, command: options.commandLine)
        Cancellation.shared.install { _ = journal.close() }
        defer { _ = journal.close() }

        var record = RunRecord(runId: runId, benchlab: options.benchlab, startedAt: Timestamp.now(),
                               scenario: ScenarioRecorder.record(scenario, plan: plan),
                               environment: EnvironmentProbe.capture(),
                               cases: cases.map { CaseRecord(id: $0.id, backend: $0.backend.rawValue, family: $0.backend.family,
                                                             parameters: Dictionary(uniqueKeysWithValues: $0.variant.point.map { ($0.name, $0.value) })) })
        let writer = RunRecordWriter(directory: directory)
        try writer.write(record)
        observer?.runStarted(directory: directory, plan: plan)

        var backends: [BackendKind: any FilterBackend] = [:]
        let executor = CaseExecutor(topologySource: scenario.topology, journal: journal,
                                    scratchRoot: "\(journal.directory)/scratch", agentExecutable: options.agentExecutable,
                                    hostConntrack: scenario.hostConntrack, capturePackets: scenario.capturePackets,
                                    captureDirectory: "\(directory)/captures")
        let steps = plan.steps
        for step in steps {
            if Cancellation.shared.isCancelled { break }
            let spec = cases[step.caseIndex]
            guard record.cases[step.caseIndex].status == .ok else { continue }
            observer?.stepStarted(step, plan: plan)
            var repeatRecord = RepeatRecord(index: step.round, warmup: step.warmup, startedAt: Timestamp.now())
            do {
                let backend = try backends[spec.backend] ?? BackendFactory.make(spec.backend)
                backends[spec.backend] = backend
                let firstRound = record.cases[step.caseIndex].equivalence == nil
                let outcome = try executor.execute(spec, backend: backend, round: step.round, probe: firstRound)
                repeatRecord.samples = outcome.samples
                repeatRecord.phases = outcome.phases
                if record.addressPlan == nil { record.addressPlan = outcome.addressPlan }
                repeatRecord.series = outcome.series
                for (key, value) in outcome.gates { record.environment.gates["\(spec.backend.rawValue).\(key)"] = value }
                for caveat in outcome.caveats where !record.environment.caveats.contains(caveat) {
                    record.environment.caveats.append(caveat)
                }
                if let equivalence = outcome.equivalence {
                    record.cases[step.caseIndex].equivalence = equivalence
                    if !equivalence.passed {
                        let reason = "equivalence: \(equivalence.mismatchCount) of \(equivalence.probes) probes differ from the policy"
                        repeatRecord.failure = reason
                        record.cases[step.caseIndex].status = .failed
                        record.cases[step.caseIndex].reason = reason
                    }
                }
            } catch let error as Interrupted {
                repeatRecord.failure = error.description
                record.cases[step.caseIndex].repeats.append(repeatRecord)
                break
            } catch let error as BackendUnsupported {
                record.cases[step.caseIndex].status = .skipped
                record.cases[step.caseIndex].reason = error.description
            } catch {
                repeatRecord.failure = error.oneLine
                record.cases[step.caseIndex].status = .failed
                record.cases[step.caseIndex].reason = "round \(step.round + 1): \(error.oneLine)"
            }
            if record.cases[step.caseIndex].status != .skipped { record.cases[step.caseIndex].repeats.append(repeatRecord) }
            observer?.stepFinished(step, plan: plan, failure: repeatRecord.failure)
            try writer.write(record)
        }

        let interrupted = Cancellation.shared.isCancelled
        for index in record.cases.indices where record.cases[index].status == .ok {
            let counted = record.cases[index].repeats.filter { !$0.warmup && $0.failure == nil }.count
            if counted < plan.repeats {
                record.cases[index].status = interrupted ? .skipped : .failed
                record.cases[index].reason = interrupted ? "run interrupted after \(counted) of \(plan.repeats) repeats"
                    : "only \(counted) of \(plan.repeats) repeats completed"
            }
        }
        let teardown = journal.close()
        if !teardown.isEmpty { record.environment.caveats.append("teardown problems: \(teardown.joined(separator: "; "))") }
        record.status = interrupted ? .interrupted : .complete
        record.finishedAt = Timestamp.now()
        try writer.write(record)
        return RunResult(directory: directory, record: record)
    }

    private func makeRunDirectory(runId: String) throws -> String {
        // Absolute, so the path printed at the end works from anywhere.
        let parent = options.outputParent.hasPrefix("/") ? options.outputParent
            : "\(FileManager.default.currentDirectoryPath)/\(options.outputParent)"
        var directory = "\(parent)/\(Timestamp.compact())-\(options.scenario.name)"
        if FileManager.default.fileExists(atPath: directory) { directory += "-\(runId)" }
        try AtomicFile.makeDirectory(directory)
        return (directory as NSString).standardizingPath
    }
}

/// Writes run.json atomically (temp + rename): a reader never sees half a file.
struct RunRecordWriter {
    let directory: String
    func write(_ record: RunRecord) throws {
        try AtomicFile.write(try RunRecordCoding.encode(record), to: "\(directory)/run.json")
    }
}

/// The scenario as it goes into run.json.
enum ScenarioRecorder {
    static func record(_ scenario: Scenario, plan: RunPlan) -> ScenarioRecord {
        let workloads = scenario.variants.first?.workloads ?? []
        return ScenarioRecord(name: scenario.name, description: scenario.description, sourcePath: scenario.sourcePath,
                              sourceText: scenario.sourceText, topology: scenario.topology.name,
                              backends: scenario.backends.filter { kind in plan.cases.contains { $0.backend == kind } }.map(\.rawValue),
                              repeats: plan.repeats, warmup: plan.warmup,
                              parameters: scenario.parameters.map { ParameterRecord(name: $0.name, values: $0.values) },
                              workloads: workloads.map { WorkloadRecord(name: $0.name, kind: $0.kind, settings: $0.settings) })
    }
}
