import Foundation
import LabBackends
import LabCollectors
import LabIPAM
import LabConntrack
import LabNetlink
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
    public var topologySource: TopologySource
    public var journal: Journal
    public var scratchRoot: String
    public var agentExecutable: String
    /// Switch nf_conntrack on at the filter point for every backend (`host_conntrack`).
    public var hostConntrack: Bool
    /// `capture: N`: save each workload's first N server-side packets under `captureDirectory`.
    public var capturePackets: Int?
    public var captureDirectory: String?

    public init(topologySource: TopologySource, journal: Journal, scratchRoot: String, agentExecutable: String,
                hostConntrack: Bool = false, capturePackets: Int? = nil, captureDirectory: String? = nil) {
        self.topologySource = topologySource
        self.journal = journal
        self.scratchRoot = scratchRoot
        self.agentExecutable = agentExecutable
        self.hostConntrack = hostConntrack
        self.capturePackets = capturePackets
        self.captureDirectory = captureDirectory
    }

    public struct Outcome {
        public var samples: [Sample]
        /// Time series the collectors recorded, per workload.
        public var series: [Series] = []
        public var gates: [String: String]
        public var caveats: [String] = []
        /// Present when this round probed equivalence; when it did not pass, no workload ran.
        public var equivalence: EquivalenceRecord?
        /// Wall time of each phase of the round, in the order they ran (teardown last).
        public var phases: [PhaseRecord] = []
        /// The IPAM plan of the topology this round built (run.json records the first).
        public var addressPlan: AddressPlanRecord?
    }

    /// `probe`: send the equivalence probes before the workloads (once per case is enough: every
    /// round installs the same compiled artifact).
    public func execute(_ spec: CaseSpec, backend: any FilterBackend, round: Int, probe: Bool) throws -> Outcome {
        let mark = journal.mark
        var phases = PhaseLog()
        let result = Result { try measure(spec, backend: backend, round: round, probe: probe, phases: &phases) }
        let teardownFailures = phases.time(PhaseRecord.teardown) { journal.rollback(to: mark) }
        var outcome = try result.get()
        guard teardownFailures.isEmpty else {
            throw LabFailure("teardown: \(teardownFailures.joined(separator: "; "))")
        }
        outcome.phases = phases.records
        return outcome
    }

    private func measure(_ spec: CaseSpec, backend: any FilterBackend, round: Int, probe: Bool, phases: inout PhaseLog) throws -> Outcome {
        let topology = try phases.time(PhaseRecord.topology) { try TopologyBuilder.up(topologySource, journal: journal) }
        let hostGates = hostConntrack ? try AmbientConntrack.enable(in: topology.filterPoint.namespace) : [:]
        let installations = try phases.time(PhaseRecord.install) {
            try PolicyInstallations.install(spec.variant.policy, with: backend, in: topology)
        }
        let installation = installations.primary
        do {
            try holdConntrackLimit(for: installation, spec.variant.policy)
            var outcome = try measureInstalled(spec, installations: installations, topology: topology, round: round, probe: probe,
                                               phases: &phases)
            outcome.gates.merge(hostGates) { own, _ in own }
            outcome.addressPlan = topology.addressPlan
            if let installMs = installation.installMilliseconds {
                outcome.samples.insert(Sample(workload: "policy", metric: PolicyMetrics.installMs, value: installMs), at: 0)
            }
            try phases.time(PhaseRecord.remove) { try installations.remove() }
            return outcome
        } catch {
            // The namespace goes with the rollback anyway; removing first keeps the installation's
            // own state (BPF objects and links) from outliving the case.
            try? installations.remove()
            throw error
        }
    }

    private func measureInstalled(_ spec: CaseSpec, installations: PolicyInstallations, topology: Topology, round: Int, probe: Bool,
                                  phases: inout PhaseLog) throws -> Outcome {
        let installation = installations.primary
        var samples: [Sample] = []
        var series: [Series] = []
        let scratch = "\(scratchRoot)/\(topology.id)"
        try AtomicFile.makeDirectory(scratch)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let context = TrafficContext(topology: topology, scratchDirectory: scratch, agentExecutable: agentExecutable)
        let enforced = installation.enforcedPolicy
        // With conntrack on for every backend, collectors read the namespace's nf_conntrack table
        // when the installation tracks nothing itself: whether a drop point created entries is a result.
        let tracker = try installation.tracker ?? (hostConntrack ? NfConntrackTracker(namespace: topology.filterPoint.namespace) : nil)
        var equivalence: EquivalenceRecord?
        if probe {
            let record = try phases.time(PhaseRecord.equivalence) { () throws -> EquivalenceRecord in
                guard spec.variant.policy.snat != nil else { return try Equivalence.check(enforced, in: context) }
                return try NATEquivalence.check(spec.variant.policy, translating: installation.enforcesPolicy, in: context)
            }
            equivalence = record
            guard record.passed else { return Outcome(samples: samples, gates: installation.gates, equivalence: record) }
        }
        samples += try phases.time(PhaseRecord.microbenchmarks) {
            var measured = try installation.microbenchmarks()
            if let entries = try installation.installedEntries() {
                measured.append(Sample(workload: "policy", metric: PolicyMetrics.installedEntries, value: Double(entries)))
            }
            return measured
        }
        for workload in spec.variant.workloads {
            try Cancellation.shared.checkpoint()
            let filter = FilterUnderTest(policy: spec.variant.policy, enforces: installation.enforcesPolicy,
                                         tracker: tracker, translators: installations.translators) {
                try installation.counters().deniedPackets
            }
            let collected = try WorkloadCapture(packets: capturePackets, directory: captureDirectory, label: "\(spec.id)-r\(round)")
                .around(workload, in: context) { try WorkloadPhase.run(workload, in: context, filter: filter, phases: &phases) }
            samples += collected.samples
            series += collected.series
        }
        if let nanoseconds = try phases.time(PhaseRecord.runTime, { try runTime(installation, context) }) {
            samples.append(Sample(workload: "policy", metric: PolicyMetrics.bpfNsPerRun, value: nanoseconds))
        }
        if let milliseconds = try phases.time(PhaseRecord.update, { try update(installation, context) }) {
            samples.append(Sample(workload: "policy", metric: PolicyMetrics.updateMs, value: milliseconds))
        }
        return Outcome(samples: samples, series: series, gates: installation.gates, caveats: installation.caveats,
                       equivalence: equivalence)
    }

    /// A tracker sized by the global nf_conntrack_max gets the limit the scenario's table size needs
    /// (raised for the case, journaled) and the means to lower it for a phase; rollback restores it.
    private func holdConntrackLimit(for installation: any Installation, _ policy: Policy) throws {
        guard let tracking = policy.tracking, var tracker = installation.tracker as? any GloballyLimitedTracker else { return }
        var limit = ConntrackLimit(journal: journal)
        try limit.raise(toAtLeast: tracking.tableSize)
        let held = limit
        tracker.limiter = { entries in try held.set(entries) }
    }

    /// The kernel's own accounting of the backend's programs over a short, separate burst of round
    /// trips. Kept out of the measured workloads on purpose: run-time accounting adds two clock reads
    /// per program run, which would tax the eBPF backends in every other number.
    private func runTime(_ installation: any Installation, _ context: TrafficContext) throws -> Double? {
        guard let window = try installation.startRunTimeWindow() else { return nil }
        _ = try WorkloadRunner.run(Workload(LatencyWorkload(name: "bpf-runtime", proto: .udp, count: 3000, durationSeconds: 0.5)),
                                   in: context)
        return try window.finish()
    }

    /// Adds one deny rule in front of the installed policy (timed), then proves it took effect: a
    /// source the policy allowed until now must be dropped afterwards, while another allowed source
    /// still gets through (the control, whose answer also times the probe's wait). nil when the
    /// installation has no policy to update (the baseline).
    private func update(_ installation: any Installation, _ context: TrafficContext) throws -> Double? {
        // An SNAT policy has no filter rule to add: its updates are egress rules, timed by the
        // masquerade-delay workload from the request to the first translated connection.
        guard installation.enforcesPolicy, installation.enforcedPolicy.snat == nil else { return nil }
        let policy = installation.enforcedPolicy
        let flows = UpdateProbe.flows(allowedBy: policy, count: 2)
        guard flows.count == 2 else {
            throw LabFailure("update: fewer than two client-pool sources are allowed by this policy, so the update cannot be verified")
        }
        let (target, control) = (flows[0], flows[1])
        let rule = Rule(action: .deny, source: IPv4Prefix(address: target.source, length: 32))
        guard let milliseconds = try installation.update(adding: rule) else { return nil }
        let (observed, _) = try ProbeRun.observeAdaptively([target, control], in: context)
        guard observed[0].verdict == .denied else {
            throw LabFailure("update: \(installation.backend.rawValue) added `\(rule)` but \(target) still got \(observed[0].verdict.rawValue)")
        }
        guard observed[1].verdict == .allowed else {
            throw LabFailure("update: after `\(rule)`, \(control), which no rule denies, got \(observed[1].verdict.rawValue) on \(installation.backend.rawValue)")
        }
        return milliseconds
    }
}

/// The flows used to verify an update: UDP from the highest client-pool addresses the policy allows.
enum UpdateProbe {
    static func flows(allowedBy policy: Policy, count: Int) -> [Flow] {
        var found: [Flow] = []
        let pool = AddressPlan.clientPool.sorted { $0.last > $1.last }
        for block in pool {
            var address = block.last.value
            for _ in 0..<4096 {
                let flow = Flow(proto: .udp, source: IPv4Address(address), destination: AddressPlan.server, destinationPort: 4000)
                if ReferenceEvaluator.verdict(policy, flow) == .allow {
                    found.append(flow)
                    if found.count == count { return found }
                }
                if address == block.first.value { break }
                address -= 1
            }
        }
        return found
    }
}
