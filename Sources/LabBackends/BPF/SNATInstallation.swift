import LabBPF
import LabConntrack
import LabPolicy
import LabResults
import LabSystem
import LabTopology

/// The BPF SNAT installed at a gateway: the object, its two attachments (tc egress and ingress of
/// the external interface), the translator and tracker views of its NAT maps and, for the swept
/// plain hash, the tracker's collector thread sweeping them — all go with remove().
final class SNATInstallation: Installation {
    let owner: SNATBackend
    let point: FilterPoint
    let installMilliseconds: Double?
    let tracking: ConnectionTracking
    private let installedPolicy: Policy
    private var program: SNATProgram?
    private var attachments: [FilterAttachment]
    private var collector: CTCollector?
    private var natTranslator: BPFTranslator?
    private var natTracker: SNATConnectionTracker?

    init(owner: SNATBackend, program: SNATProgram, attachments: [FilterAttachment], point: FilterPoint, policy: Policy,
         tracking: ConnectionTracking, installMilliseconds: Double) {
        self.owner = owner
        self.program = program
        self.attachments = attachments
        self.point = point
        self.installedPolicy = policy
        self.tracking = tracking
        self.installMilliseconds = installMilliseconds
        collector = program.maps.kind == .swept
            ? CTCollector(table: program.maps, lifetimes: program.lifetimes, settings: tracking.sweep) : nil
        natTranslator = BPFTranslator(maps: program.maps, lifetimes: program.lifetimes, policy: policy.snat!)
        natTracker = SNATConnectionTracker(maps: program.maps, collector: collector)
    }

    var backend: BackendKind { owner.kind }
    var tracker: (any ConnectionTracker)? { natTracker }
    var translator: (any AddressTranslator)? { natTranslator }

    /// The installed policy with the egress rules the translator added since.
    var enforcedPolicy: Policy {
        var policy = installedPolicy
        if let natTranslator { policy.snat = natTranslator.policy }
        return policy
    }

    /// An SNAT policy has no filter rules to add to; its egress rules change through `translator.add`.
    func update(adding rule: Rule) throws -> Double? {
        throw BackendUnsupported(backend, "an snat installation has no filter rules; add egress rules through its translator")
    }

    func counters() throws -> FilterCounters {
        guard let program else { return FilterCounters(allowedPackets: 0, deniedPackets: 0) }
        let counters = try program.maps.counters()
        return FilterCounters(allowedPackets: counters.passed, deniedPackets: counters.dropped)
    }

    var gates: [String: String] {
        var gates = [
            "snat": "tc-bpf",
            "nat_map_type": owner.table.mapTypeName,
            "nat_table_size": String(tracking.tableSize),
            "nat_tries": String(PortExhaustionModel.ciliumTries),
            "ct_tracker": owner.table == .lru ? TrackerKind.bpfLRU.rawValue : TrackerKind.bpfSwept.rawValue,
        ]
        if owner.table == .swept { gates["ct_sweep"] = tracking.sweep.mode.rawValue }
        gates.merge(attachments.first?.gates ?? [:]) { own, _ in own }
        return gates
    }

    var caveats: [String] {
        var caveats = [Self.icmpErrorCaveat]
        if owner.table == .lru { caveats.append(Self.lruCaveat) }
        return caveats
    }

    static let icmpErrorCaveat = "tc-snat translates ICMP echo (identifier as the port) but not ICMP errors about a translated "
        + "flow: an error from outside reaches the gateway, not the pod (netfilter translates the inner header)"
    static let lruCaveat = "tc-snat's LRU NAT maps may evict a live mapping when full: its flow then gets a new port "
        + "or its replies miss (counted as reverse misses)"

    func installedEntries() throws -> Int? {
        try program?.maps.selectionEntries().count
    }

    /// BPF_PROG_TEST_RUN on a fresh copy of the programs (the installed maps hold none of its flow).
    func microbenchmarks() throws -> [Sample] {
        guard let program else { return [] }
        var configuration = program.configuration
        configuration.selection = SNATSelection.entries(enforcedPolicy.snat!)
        configuration.capacity = 65_536
        guard let figures = try SNATMicrobenchmark(configuration: configuration).measure() else { return [] }
        return figures.map { Sample(workload: "policy", metric: $0.metric, value: $0.nanoseconds) }
    }

    func startRunTimeWindow() throws -> (any RunTimeWindow)? {
        guard let program else { return nil }
        return try BPFRunTimeWindow(program: program.egress)
    }

    func pin(under directory: String) throws { try FilterAttachment.pin(attachments, under: directory) }

    func remove() throws {
        collector?.stop()
        collector = nil
        natTracker?.stop()
        // Egress first: nothing leaves translated once its way back is gone.
        for attachment in attachments { try attachment.detach() }
        attachments = []
        natTracker = nil
        natTranslator = nil
        program = nil
    }
}
