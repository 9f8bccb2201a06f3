import LabBPF
import LabNetwork
import LabPolicy
import LabResults
import LabSystem
import LabTopology

/// benchlab's BPF filter loaded with one policy and attached at one point: the object, its maps (two
/// banks, see bpf/lib/policy.h) and its link belong to this installation and go with `remove()`.
final class BPFInstallation: Installation {
    let owner: BPFBackend
    let point: FilterPoint
    let installMilliseconds: Double?
    private(set) var enforcedPolicy: Policy
    private var filter: BPFFilter?
    private var attachment: FilterAttachment?

    init(owner: BPFBackend, filter: BPFFilter, attachment: FilterAttachment, point: FilterPoint, policy: Policy,
         installMilliseconds: Double) {
        self.owner = owner
        self.filter = filter
        self.attachment = attachment
        self.point = point
        self.enforcedPolicy = policy
        self.installMilliseconds = installMilliseconds
    }

    var backend: BackendKind { owner.kind }

    /// The new policy is diffed into the bank no packet uses and switched in with one write.
    func update(adding rule: Rule) throws -> Double? {
        guard let filter else { throw LabFailure("update \(backend.rawValue): the installation was removed") }
        let next = enforcedPolicy.inserting(rule)
        let image = try owner.image(next)
        let (_, milliseconds) = try MonotonicClock.measure { try filter.update(to: image) }
        enforcedPolicy = next
        return milliseconds
    }

    func counters() throws -> FilterCounters {
        guard let filter else { return FilterCounters(allowedPackets: 0, deniedPackets: 0) }
        let counters = try filter.counters()
        return FilterCounters(allowedPackets: counters.passed, deniedPackets: counters.dropped)
    }

    var gates: [String: String] { attachment?.gates ?? [:] }

    var caveats: [String] { attachment?.isXDP == true ? [Self.xdpOnVethCaveat] : [] }

    /// Measured by hand here: ~38 → ~7 Gbit/s TCP with an empty XDP program (issue 3). Every XDP
    /// installation on the lab's veths carries it.
    static let xdpOnVethCaveat = "native XDP on veth turns TSO off on the peer while a program is attached, so TCP crosses "
        + "the pair in MTU-sized packets and XDP runs per packet while tc and netfilter see one large GSO packet: xdp's TCP "
        + "throughput understates it; packets per second and CPU per packet are the fair figures."

    /// Map entries (host hashes, LPM tries, port slots) plus one action bit per clause.
    func installedEntries() throws -> Int? {
        let image = try owner.image(enforcedPolicy)
        return image.entryCount + image.clauses.count
    }

    /// BPF_PROG_TEST_RUN on two crafted frames: one that matches a rule (the deepest rule the probe
    /// set reaches) and one that matches none (the default action decides), so lookup cost can be
    /// read against rule count without any traffic noise.
    func microbenchmarks() throws -> [Sample] {
        guard let filter else { return [] }
        let policy = enforcedPolicy
        let flows = ProbeSetGenerator(randomFlows: 0).probes(for: policy) + [Flow(proto: .tcp, source: AddressPlan.client,
                                                                                  destination: AddressPlan.server, destinationPort: 5201)]
        var samples: [Sample] = []
        let matching = flows.filter { ReferenceEvaluator.matchingRule(policy, $0) != nil }
            .max { ReferenceEvaluator.matchingRule(policy, $0)! < ReferenceEvaluator.matchingRule(policy, $1)! }
        let unmatched = flows.last { ReferenceEvaluator.matchingRule(policy, $0) == nil }
        for (metric, flow) in [(PolicyMetrics.nsPerPacketMatch, matching), (PolicyMetrics.nsPerPacketNoMatch, unmatched)] {
            guard let flow else { continue }
            let packet = TestPacket(flow: flow).bytes
            let runs = try (0..<5).map { _ in try filter.run(packet, repeat: 20_000).nanosecondsPerRun }
            samples.append(Sample(workload: "policy", metric: metric, value: Double(runs.sorted()[2])))
        }
        return samples
    }

    func startRunTimeWindow() throws -> (any RunTimeWindow)? {
        guard let filter else { return nil }
        return try BPFRunTimeWindow(program: filter.program)
    }

    /// `directory` lies in benchlab's own bpffs (LabNames.pinDirectory), mounted on first use.
    func pin(under directory: String) throws {
        try BPFPinRoot.ensureMounted()
        try AtomicFile.makeDirectory(directory)
        try attachment?.pin(under: directory)
    }

    func remove() throws {
        try attachment?.detach()
        attachment = nil
        filter = nil
    }
}
