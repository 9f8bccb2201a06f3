import Foundation
import LabBackends
import LabCollectors
import LabNetwork
import LabPolicy
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
        /// Time series the collectors recorded, per workload.
        public var series: [Series] = []
        public var gates: [String: String]
        public var caveats: [String] = []
        /// Present when this round probed equivalence; when it did not pass, no workload ran.
        public var equivalence: EquivalenceRecord?
    }

    /// `probe`: send the equivalence probes before the workloads (once per case is enough: every
    /// round installs the same compiled artifact).
    public func execute(_ spec: CaseSpec, backend: any FilterBackend, round: Int, probe: Bool) throws -> Outcome {
        let mark = journal.mark
        let result = Result { try measure(spec, backend: backend, probe: probe) }
        let teardownFailures = journal.rollback(to: mark)
        let outcome = try result.get()
        guard teardownFailures.isEmpty else {
            throw LabFailure("teardown: \(teardownFailures.joined(separator: "; "))")
        }
        return outcome
    }

    private func measure(_ spec: CaseSpec, backend: any FilterBackend, probe: Bool) throws -> Outcome {
        let topology = try TopologyBuilder.up(shape, journal: journal)
        let point = topology.filterPoint
        let artifact = try backend.compile(spec.variant.policy)
        let installMs = try backend.install(artifact, policy: spec.variant.policy, at: point)
        do {
            var outcome = try measureInstalled(spec, backend: backend, point: point, topology: topology, probe: probe)
            if backend.kind != .none { outcome.samples.insert(Sample(workload: "policy", metric: "install_ms", value: installMs), at: 0) }
            try backend.remove(at: point)
            return outcome
        } catch {
            // The namespace goes with the rollback anyway; removing first keeps the backend's own
            // state (BPF objects, remembered sets) from outliving the case.
            try? backend.remove(at: point)
            throw error
        }
    }

    private func measureInstalled(_ spec: CaseSpec, backend: any FilterBackend, point: FilterPoint, topology: Topology,
                                  probe: Bool) throws -> Outcome {
        var samples: [Sample] = []
        var series: [Series] = []
        let scratch = "\(scratchRoot)/\(topology.id)"
        try AtomicFile.makeDirectory(scratch)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let context = TrafficContext(topology: topology, scratchDirectory: scratch, agentExecutable: agentExecutable)
        // `none` installs nothing, so what it must show is that everything gets through.
        let enforced = backend.kind == .none ? Policy.allowAll : spec.variant.policy
        var equivalence: EquivalenceRecord?
        if probe {
            let record = try Equivalence.check(enforced, in: context)
            equivalence = record
            guard record.passed else { return Outcome(samples: samples, gates: backend.gates, equivalence: record) }
        }
        samples += try backend.microbenchmarks(policy: enforced)
        if let entries = try backend.installedEntries(policy: enforced) {
            samples.append(Sample(workload: "policy", metric: "installed_entries", value: Double(entries)))
        }
        for workload in spec.variant.workloads {
            try Cancellation.shared.checkpoint()
            let filter = FilterUnderTest(policy: spec.variant.policy, enforces: backend.kind != .none) {
                try backend.counters(at: point).deniedPackets
            }
            let collected = try WorkloadPhase.run(workload, in: context, filter: filter)
            samples += collected.samples
            series += collected.series
        }
        if let nanoseconds = try runTime(backend, context) {
            samples.append(Sample(workload: "policy", metric: "bpf_ns_per_run", value: nanoseconds))
        }
        if backend.kind != .none {
            samples.append(Sample(workload: "policy", metric: "update_ms", value: try update(backend, enforced, point, context)))
        }
        return Outcome(samples: samples, series: series, gates: backend.gates, caveats: backend.caveats, equivalence: equivalence)
    }

    /// The kernel's own accounting of the backend's programs over a short, separate burst of round
    /// trips. Kept out of the measured workloads on purpose: run-time accounting adds two clock reads
    /// per program run, which would tax the eBPF backends in every other number.
    private func runTime(_ backend: any FilterBackend, _ context: TrafficContext) throws -> Double? {
        guard let window = try backend.startRunTimeWindow() else { return nil }
        _ = try WorkloadRunner.run(Workload(LatencyWorkload(name: "bpf-runtime", proto: .udp, count: 3000, durationSeconds: 0.5)),
                                   in: context)
        return try window.finish()
    }

    /// Adds one deny rule in front of the installed policy (timed), then proves it took effect: a
    /// source the policy allowed until now must be dropped afterwards.
    private func update(_ backend: any FilterBackend, _ policy: Policy, _ point: FilterPoint, _ context: TrafficContext) throws -> Double {
        guard let flow = UpdateProbe.flow(allowedBy: policy) else {
            throw LabFailure("update: no client-pool source is allowed by this policy, so the update cannot be verified")
        }
        let rule = Rule(action: .deny, source: IPv4Prefix(address: flow.source, length: 32))
        let milliseconds = try backend.update(adding: rule, at: point)
        let observed = try ProbeRun.observe([flow], in: context)
        guard observed.first?.verdict == .denied else {
            throw LabFailure("update: \(backend.kind.rawValue) added `\(rule)` but \(flow) still got \(observed.first?.verdict.rawValue ?? "no answer")")
        }
        return milliseconds
    }
}

/// The flow used to verify an update: UDP from the highest client-pool address the policy allows.
enum UpdateProbe {
    static func flow(allowedBy policy: Policy) -> Flow? {
        let pool = AddressPlan.clientPool.sorted { $0.last > $1.last }
        for block in pool {
            var address = block.last.value
            for _ in 0..<4096 {
                let flow = Flow(proto: .udp, source: IPv4Address(address), destination: AddressPlan.server, destinationPort: 4000)
                if ReferenceEvaluator.verdict(policy, flow) == .allow { return flow }
                if address == block.first.value { break }
                address -= 1
            }
        }
        return nil
    }
}
