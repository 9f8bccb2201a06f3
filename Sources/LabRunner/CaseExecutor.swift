import Foundation
import LabBackends
import LabCollectors
import LabResults
import LabScenario
import LabSystem
import LabTopology
import LabTraffic

/// Runs one case for one round: a fresh topology, the backend's policy, every workload with its
/// collectors, then teardown back to the journal mark — whatever happened in between. A fresh
/// topology per round means no state (conntrack entries, socket buffers, neighbour entries) leaks
/// from one case into the next.
public struct CaseExecutor {
    public var shape: TopologyShape
    public var journal: Journal
    public var scratchRoot: String
    public var agentExecutable: String

    public init(shape: TopologyShape, journal: Journal, scratchRoot: String, agentExecutable: String) {
        self.shape = shape
        self.journal = journal
        self.scratchRoot = scratchRoot
        self.agentExecutable = agentExecutable
    }

    public struct Outcome {
        public var samples: [Sample]
        public var gates: [String: String]
    }

    public func execute(_ spec: CaseSpec, backend: any FilterBackend, round: Int) throws -> Outcome {
        let mark = journal.mark
        let result = Result { try measure(spec, backend: backend) }
        let teardownFailures = journal.rollback(to: mark)
        let outcome = try result.get()
        guard teardownFailures.isEmpty else {
            throw LabFailure("teardown: \(teardownFailures.joined(separator: "; "))")
        }
        return outcome
    }

    private func measure(_ spec: CaseSpec, backend: any FilterBackend) throws -> Outcome {
        let topology = try TopologyBuilder.up(shape, journal: journal)
        let point = topology.filterPoint
        var samples: [Sample] = []
        let artifact = try backend.compile(spec.variant.policy)
        let installMs = try backend.install(artifact, policy: spec.variant.policy, at: point)
        if backend.kind != .none { samples.append(Sample(workload: "policy", metric: "install_ms", value: installMs)) }
        let scratch = "\(scratchRoot)/\(topology.id)"
        try AtomicFile.makeDirectory(scratch)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let context = TrafficContext(topology: topology, scratchDirectory: scratch, agentExecutable: agentExecutable)
        for workload in spec.variant.workloads {
            try Cancellation.shared.checkpoint()
            let before = try CollectorSnapshot.take(topology)
            let measured = try WorkloadRunner.run(workload, in: context)
            let after = try CollectorSnapshot.take(topology)
            samples += measured
            samples += CollectorSnapshot.samples(workload: workload.name, from: before, to: after)
        }
        let gates = backend.gates
        try backend.remove(at: point)
        return Outcome(samples: samples, gates: gates)
    }
}
