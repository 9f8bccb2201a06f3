import Foundation
import LabPolicy
import LabSystem

/// Sends a set of probe flows through a topology (sink agent in the server namespace, client agent
/// in the client namespace) and returns what each flow saw, in order.
public enum ProbeRun {
    /// How long a probe batch waits for answers. Round trips across lab veths take tens of
    /// microseconds, a few milliseconds on a loaded 2-core machine; a dropped flow costs the full
    /// wait, so this bounds how long proving equivalence takes.
    public static let timeout = 0.25

    public static func observe(_ flows: [Flow], in context: TrafficContext, timeout: Double = ProbeRun.timeout) throws -> [ProbeObservation] {
        guard !flows.isEmpty else { return [] }
        let flowsFile = context.file("probe-flows.json")
        try AtomicFile.write(try JSONEncoder().encode(flows), to: flowsFile)
        let batches = Double((flows.count + ProbeClient.batchSize - 1) / ProbeClient.batchSize)
        let lifetime = batches * (timeout + 1) + 10
        let sink = try BackgroundProcess(
            context.agent(.probeSink(ProbeSinkRequest(flowsFile: flowsFile, deadline: lifetime)), in: context.topology.server),
            stdoutPath: context.file("probe-sink.out"), stderrPath: context.file("probe-sink.err"))
        defer { sink.stop(grace: 1) }
        try waitForReady(sink)
        let client = context.agent(.probeClient(ProbeClientRequest(flowsFile: flowsFile, timeout: timeout)), in: context.topology.client)
        let result = try Subprocess.run(client, timeout: lifetime)
        try result.requireSuccess("probe client")
        guard let observations = try? AgentChannel.decodeReply([ProbeObservation].self, from: result.stdout, "probe client"),
              observations.count == flows.count else {
            throw LabFailure("probe client printed no verdict list for \(flows.count) flows")
        }
        return observations
    }

    /// The sink prints "ready" once every port is bound.
    static func waitForReady(_ sink: BackgroundProcess, timeout: Double = 10) throws {
        let deadline = Deadline(secondsFromNow: timeout)
        while !sink.readStdout().contains(AgentChannel.readyLine) {
            try Cancellation.shared.checkpoint()
            if let status = sink.exitStatus {
                throw LabFailure("probe sink exited \(status): \(sink.readStderr().split(separator: "\n").last ?? "no output")")
            }
            if deadline.hasPassed { throw LabFailure("probe sink not ready after \(timeout) s") }
            usleep(5_000)
        }
    }
}
