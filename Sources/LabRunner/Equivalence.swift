import LabPolicy
import LabResults
import LabTraffic

/// Proof, before any timing, that a backend decides like the reference evaluator: the probe set is
/// sent through the real topology and each observed verdict compared with the expected one. A
/// benchmark of two policies that do not do the same thing is worthless (DESIGN.md).
public enum Equivalence {
    /// At most this many differing flows are listed (the count is always complete).
    public static let listedMismatches = 40

    public static func check(_ policy: Policy, in context: TrafficContext,
                             generator: ProbeSetGenerator = ProbeSetGenerator()) throws -> EquivalenceRecord {
        let flows = generator.probes(for: policy)
        let (observations, timing) = try ProbeRun.observeAdaptively(flows, in: context)
        var record = compare(policy: policy, flows: flows, observations: observations)
        record.slowestAnswerMilliseconds = timing.slowestAnswerMilliseconds
        record.recheckedProbes = timing.recheckedFlows
        return record
    }

    /// Pure comparison, unit-tested.
    public static func compare(policy: Policy, flows: [Flow], observations: [ProbeObservation]) -> EquivalenceRecord {
        var mismatches: [ProbeMismatch] = []
        var total = 0
        for (flow, observation) in zip(flows, observations) {
            let expected: ProbeObservation.Verdict = ReferenceEvaluator.verdict(policy, flow) == .allow ? .allowed : .denied
            guard observation.verdict != expected else { continue }
            total += 1
            if mismatches.count < listedMismatches {
                let observed = observation.detail.map { "\(observation.verdict.rawValue) (\($0))" } ?? observation.verdict.rawValue
                mismatches.append(ProbeMismatch(flow: flow.description, expected: expected.rawValue, observed: observed))
            }
        }
        var record = EquivalenceRecord(probes: flows.count, mismatches: mismatches)
        record.mismatchCount = total
        return record
    }
}
