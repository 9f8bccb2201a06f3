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
        guard policy.isStateful else { return record }
        let probes = StateProbeSetGenerator().probes(for: policy, flows: flows)
        let states = try ProbeStateRun.observe(probes, in: context, wait: stateWait(slowestAnswerMilliseconds: timing.slowestAnswerMilliseconds))
        return merging(record, compareState(policy: policy, probes: probes, observations: states))
    }

    /// How long state probes wait for an arrival: like a trusted silence of the flow probes, at
    /// least the full probe timeout and four times the slowest answer seen, at most the longest wait.
    static func stateWait(slowestAnswerMilliseconds: Double?) -> Double {
        let needed = (slowestAnswerMilliseconds ?? 0) / 1000 / ProbeRun.trustedShare
        return min(max(needed, ProbeRun.timeout), ProbeRun.longestWait)
    }

    /// State probes against the state reference (`StateReference`): a packet that arrived is
    /// "allowed", one that did not is "denied". Pure, unit-tested.
    public static func compareState(policy: Policy, probes: [StateProbe], observations: [ProbeObservation]) -> EquivalenceRecord {
        let expected = StateReference.verdicts(policy, probes)
        var mismatches: [ProbeMismatch] = []
        var total = 0
        for (probe, (verdict, observation)) in zip(probes, zip(expected, observations)) {
            let wanted: ProbeObservation.Verdict = verdict == .allow ? .allowed : .denied
            guard observation.verdict != wanted else { continue }
            total += 1
            if mismatches.count < listedMismatches {
                mismatches.append(ProbeMismatch(flow: probe.description, expected: wanted.rawValue, observed: observation.verdict.rawValue))
            }
        }
        var record = EquivalenceRecord(probes: probes.count, mismatches: mismatches)
        record.mismatchCount = total
        return record
    }

    /// The flow probes' record with the state probes' added (counts summed, lists joined up to the cap).
    static func merging(_ record: EquivalenceRecord, _ state: EquivalenceRecord) -> EquivalenceRecord {
        var merged = record
        merged.probes += state.probes
        merged.mismatchCount += state.mismatchCount
        merged.mismatches += state.mismatches.prefix(max(0, listedMismatches - record.mismatches.count))
        return merged
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
