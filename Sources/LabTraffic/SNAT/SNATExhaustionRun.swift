import Foundation
import LabConntrack
import LabNetwork
import LabResults
import LabSystem

/// One `snat-exhaustion` run: the hold-everything server in the server namespace, the ramp agent in
/// the client namespace, and between the agent's steps a reading of every translator's counters.
struct SNATExhaustionRun {
    let workload: SNATExhaustionWorkload
    let plan: SNATRampPlan
    let context: TrafficContext
    let filter: FilterUnderTest

    func run(_ window: TrafficWindow) throws -> WorkloadMeasurement {
        let name = workload.name
        let topology = context.topology
        let port = SNATExhaustionWorkload.port
        let pods = try SNATSources.pods(topology, policy: filter.policy, port: port, wanted: workload.pods, workload: name)
        let lifetime = workload.maximumSeconds + 10
        let control = SNATRampControl(path: context.file("\(name)-control"))
        try? FileManager.default.removeItem(atPath: control.path)
        let request = SNATRampRequest(sources: pods.map { "\($0)" }, target: Endpoint(host: "\(topology.serverAddress)", port: port),
                                      totals: plan.totals, concurrency: workload.concurrency,
                                      connectTimeout: workload.connectTimeoutSeconds, recoveryTimeout: workload.recoveryTimeoutSeconds,
                                      controlFile: control.path, deadline: lifetime)
        return try ConnectionAgents.withServer(.tcp, port: port, lifetime: lifetime, name: name, context) {
            let client = try BackgroundProcess(context.agent(.snatRamp(request), in: topology.client),
                                               stdoutPath: context.file("\(name)-client.out"), stderrPath: context.file("\(name)-client.err"))
            defer { client.stop(grace: 2) }
            try ConnectionAgents.waitForReady(client, timeout: 10, "\(name): agent snat-ramp")
            var translated: [SNATStatistics?] = []
            try window.measure {
                for step in 1...plan.stepCount {
                    let before = try statistics()
                    try control.allow(step)
                    try waitForLine("step \(step)", client, timeout: lifetime)
                    let after = try statistics()
                    translated.append(zip2(after, before) { $0.since($1) })
                }
                try control.allow(plan.stepCount + 1)
                guard let status = try client.waitForExit(timeout: workload.recoveryTimeoutSeconds + 30) else {
                    throw LabFailure("\(name): agent snat-ramp still running \(Int(workload.recoveryTimeoutSeconds + 30)) s after the release")
                }
                guard status == 0 else { throw LabFailure("\(name): agent snat-ramp exited \(status): \(lastLine(client.readStderr()))") }
            }
            let report = try AgentChannel.decodeReply(SNATRampReport.self, from: client.readStdout(), "\(name): agent snat-ramp")
            return SNATExhaustionShaping.measurement(plan: plan, report: report, translated: translated, workload: name)
        }
    }

    /// Every translator's counters added up; nil when the case has none.
    private func statistics() throws -> SNATStatistics? {
        try SNATExhaustionShaping.total(filter.translators.map { try $0.statistics() })
    }

    private func waitForLine(_ line: String, _ process: BackgroundProcess, timeout: Double) throws {
        let deadline = Deadline(secondsFromNow: timeout)
        while !process.readStdout().split(whereSeparator: \.isNewline).contains(where: { $0 == line }) {
            try Cancellation.shared.checkpoint()
            if let status = process.exitStatus {
                throw LabFailure("\(workload.name): agent snat-ramp exited \(status) before \(line): \(lastLine(process.readStderr()))")
            }
            if deadline.hasPassed { throw LabFailure("\(workload.name): agent snat-ramp did not finish \(line) in \(Int(timeout)) s") }
            usleep(2_000)
        }
    }

    private func lastLine(_ text: String) -> String { text.split(whereSeparator: \.isNewline).last.map(String.init) ?? "no output" }

    private func zip2<T>(_ a: T?, _ b: T?, _ f: (T, T) -> T) -> T? {
        guard let a, let b else { return nil }
        return f(a, b)
    }
}
