import Foundation
import LabPolicy
import LabSystem

/// Sends a set of probe flows through a topology (sink agent in the server namespace, client agent
/// in the client namespace) and returns what each flow saw, in order.
public enum ProbeRun {
    /// How long a probe batch waits for answers when it must be sure. Round trips across lab veths
    /// take tens of microseconds, a few milliseconds on a loaded 2-core machine; a dropped flow costs
    /// the full wait, so this bounds how long proving equivalence takes.
    public static let timeout = 0.25
    /// The first, short wait of `observeAdaptively`.
    public static let quickTimeout = 0.08
    /// The short wait is trusted only while every answer came back within this share of it.
    public static let trustedShare = 0.25

    /// One pass, one fixed wait: a flow without an answer within `timeout` is denied.
    public static func observe(_ flows: [Flow], in context: TrafficContext, timeout: Double = ProbeRun.timeout) throws -> [ProbeObservation] {
        try withSink(flows, in: context, longestWait: timeout) { try probe(flows, from: context, timeout: timeout) }
    }

    /// What an adaptive probe run saw, beside the observations.
    public struct Timing: Sendable, Equatable {
        /// The slowest answer of the run, in milliseconds; nil when nothing answered.
        public var slowestAnswerMilliseconds: Double?
        /// Flows sent again with the full timeout because the short wait could not be trusted.
        public var recheckedFlows: Int
    }

    /// Probes with a short wait first (`quickTimeout`), and trusts its silences only when the machine
    /// showed it answers well within that wait: every answer within `trustedShare` of it (20 ms for
    /// 80 ms). Otherwise — some answer was slow, or nothing answered at all — the silent flows are
    /// sent again with the full `timeout`. A denied verdict thus always comes from a wait at least
    /// four times the slowest answer the same run measured. Costs one short wait per check instead
    /// of one long one on a machine that answers in milliseconds (issue 7: `quick`'s phase table).
    public static func observeAdaptively(_ flows: [Flow], in context: TrafficContext) throws -> ([ProbeObservation], Timing) {
        try withSink(flows, in: context, longestWait: quickTimeout + timeout) {
            var observations = try probe(flows, from: context, timeout: quickTimeout)
            let silent = silencesToRecheck(observations)
            guard !silent.isEmpty else {
                return (observations, Timing(slowestAnswerMilliseconds: slowestAnswer(observations), recheckedFlows: 0))
            }
            let again = try probe(silent.map { flows[$0] }, from: context, timeout: timeout)
            for (index, observation) in zip(silent, again) { observations[index] = observation }
            return (observations, Timing(slowestAnswerMilliseconds: slowestAnswer(observations), recheckedFlows: silent.count))
        }
    }

    /// The silent flows of a short pass that must be sent again with the full wait: none when every
    /// answer came within `trustedShare` of `quickTimeout`, all of them when an answer was slower or
    /// nothing answered at all (then nothing showed the short wait to be long enough). Pure.
    static func silencesToRecheck(_ observations: [ProbeObservation]) -> [Int] {
        let silent = observations.indices.filter { observations[$0].verdict == .denied }
        guard let slowest = slowestAnswer(observations) else { return silent }
        return slowest <= quickTimeout * 1000 * trustedShare ? [] : silent
    }

    static func slowestAnswer(_ observations: [ProbeObservation]) -> Double? {
        observations.compactMap(\.latencyMicroseconds).max().map { $0 / 1000 }
    }

    /// Runs `body` while a probe sink answers in the server namespace on every port `flows` use.
    private static func withSink<T>(_ flows: [Flow], in context: TrafficContext, longestWait: Double,
                                    _ body: () throws -> T) throws -> T {
        guard !flows.isEmpty else { return try body() }
        let flowsFile = context.file("probe-flows.json")
        try AtomicFile.write(try JSONEncoder().encode(flows), to: flowsFile)
        let batches = Double((flows.count + ProbeClient.batchSize - 1) / ProbeClient.batchSize)
        let lifetime = batches * (longestWait + 1) + 10
        let sink = try BackgroundProcess(
            context.agent(.probeSink(ProbeSinkRequest(flowsFile: flowsFile, deadline: lifetime)), in: context.topology.server),
            stdoutPath: context.file("probe-sink.out"), stderrPath: context.file("probe-sink.err"))
        defer { sink.stop(grace: 1) }
        try waitForReady(sink)
        return try body()
    }

    /// One client pass over `flows` (the sink must be up).
    private static func probe(_ flows: [Flow], from context: TrafficContext, timeout: Double) throws -> [ProbeObservation] {
        guard !flows.isEmpty else { return [] }
        let flowsFile = context.file("probe-client-flows.json")
        try AtomicFile.write(try JSONEncoder().encode(flows), to: flowsFile)
        let batches = Double((flows.count + ProbeClient.batchSize - 1) / ProbeClient.batchSize)
        let client = context.agent(.probeClient(ProbeClientRequest(flowsFile: flowsFile, timeout: timeout)), in: context.topology.client)
        let result = try Subprocess.run(client, timeout: batches * (timeout + 1) + 10)
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
