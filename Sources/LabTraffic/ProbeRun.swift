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
    /// A wait is trusted only when every answer came back within this share of it.
    public static let trustedShare = 0.25

    /// One pass, one fixed wait: a flow without an answer within `timeout` is denied.
    public static func observe(_ flows: [Flow], in context: TrafficContext, timeout: Double = ProbeRun.timeout) throws -> [ProbeObservation] {
        try withSink(flows, in: context, longestWait: timeout) { try probe(flows, from: context, timeout: timeout) }
    }

    /// What an adaptive probe run saw, beside the observations.
    public struct Timing: Sendable, Equatable {
        /// The slowest answer of the run, in milliseconds; nil when nothing answered.
        public var slowestAnswerMilliseconds: Double?
        /// Flows sent again with a longer wait because the shorter one could not be trusted.
        public var recheckedFlows: Int
    }

    /// The longest wait a recheck may use: a machine whose answers take half a second is too loaded
    /// to prove anything, and its silences are then reported as they are, with the slowest answer.
    public static let longestWait = 2.0

    /// Probes with a short wait first (`quickTimeout`), and trusts a silence only when the wait that
    /// produced it was at least 1/`trustedShare` (4×) the slowest answer the same run measured;
    /// otherwise the silent flows are sent again with a wait that is (at least the full `timeout`,
    /// at most `longestWait`). On an idle machine answers take milliseconds and a check costs one
    /// short wait instead of one long one (issue 7: `quick`'s phase table); on a loaded one it costs
    /// what the proof needs — with 20–120 ms answers seen here under two compilers, the short wait
    /// alone would have called late answers "denied".
    public static func observeAdaptively(_ flows: [Flow], in context: TrafficContext) throws -> ([ProbeObservation], Timing) {
        try withSink(flows, in: context, longestWait: quickTimeout + timeout + longestWait) {
            var wait = quickTimeout
            var observations = try probe(flows, from: context, timeout: wait)
            var rechecked: Set<Int> = []
            while let longer = nextWait(after: observations, waited: wait) {
                let silent = observations.indices.filter { observations[$0].verdict == .denied }
                let again = try probe(silent.map { flows[$0] }, from: context, timeout: longer)
                for (index, observation) in zip(silent, again) { observations[index] = observation }
                rechecked.formUnion(silent)
                wait = longer
            }
            return (observations, Timing(slowestAnswerMilliseconds: slowestAnswer(observations), recheckedFlows: rechecked.count))
        }
    }

    /// The wait, in seconds, a recheck of the silent flows needs after a pass that waited `waited`;
    /// nil when their silences stand: none is silent, the wait was at least four times the slowest
    /// answer, or the wait already reached `longestWait`. With no answer at all nothing showed any
    /// wait to be enough, so the full `timeout` is the least a silence gets. Pure.
    static func nextWait(after observations: [ProbeObservation], waited: Double) -> Double? {
        guard observations.contains(where: { $0.verdict == .denied }), waited < longestWait else { return nil }
        let needed = slowestAnswer(observations).map { $0 / 1000 / trustedShare } ?? timeout
        guard waited < needed else { return nil }
        return min(max(needed, timeout), longestWait)
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
        let lifetime = timeBound(flows.count, wait: longestWait)
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
        let client = context.agent(.probeClient(ProbeClientRequest(flowsFile: flowsFile, timeout: timeout)), in: context.topology.client)
        let result = try Subprocess.run(client, timeout: timeBound(flows.count, wait: timeout))
        try result.requireSuccess("probe client")
        guard let observations = try? AgentChannel.decodeReply([ProbeObservation].self, from: result.stdout, "probe client"),
              observations.count == flows.count else {
            throw LabFailure("probe client printed no verdict list for \(flows.count) flows")
        }
        return observations
    }

    /// How long a process handling `count` probes may take: each batch waits up to `wait`, plus a
    /// second per batch and ten overall for process start-up on a loaded machine.
    private static func timeBound(_ count: Int, wait: Double) -> Double {
        let batches = Double((count + ProbeClient.batchSize - 1) / ProbeClient.batchSize)
        return batches * (wait + 1) + 10
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
