import LabBPF
import LabConntrack
import LabNetwork
import LabPolicy
import LabResults
import LabSystem
import LabTopology

/// The stateful filter installed at a forwarding point: the object, its table, its two attachments
/// (client side and server side) and, for the swept table, the collector thread — all go with remove().
final class CTInstallation: Installation {
    enum Attachment {
        case xdp(XDPAttachment)
        case tc(TCAttachment)
    }

    let owner: CTBackend
    let point: FilterPoint
    let installMilliseconds: Double?
    let tracking: ConnectionTracking
    private(set) var enforcedPolicy: Policy
    private var filter: CTFilter?
    private var attachments: [Attachment]
    private var connectionTracker: BPFConnectionTracker?

    init(owner: CTBackend, filter: CTFilter, attachments: [Attachment], point: FilterPoint, policy: Policy,
         tracking: ConnectionTracking, installMilliseconds: Double) {
        self.owner = owner
        self.filter = filter
        self.attachments = attachments
        self.point = point
        self.enforcedPolicy = policy
        self.tracking = tracking
        self.installMilliseconds = installMilliseconds
        let collector = filter.table.kind == .swept
            ? CTCollector(table: filter.table, lifetimes: filter.lifetimes, settings: tracking.sweep) : nil
        connectionTracker = BPFConnectionTracker(filter: filter, installedSize: tracking.tableSize, collector: collector)
    }

    var backend: BackendKind { owner.kind }
    var tracker: (any ConnectionTracker)? { connectionTracker }

    /// The policy part is updated as in the stateless filter (standby bank, one flip); tracked flows stay.
    func update(adding rule: Rule) throws -> Double? {
        guard let filter else { throw LabFailure("update \(backend.rawValue): the installation was removed") }
        let next = Policy(rules: [rule] + enforcedPolicy.rules, defaultAction: enforcedPolicy.defaultAction,
                          family: enforcedPolicy.family, tracking: enforcedPolicy.tracking)
        let image = try owner.image(next)
        let (_, milliseconds) = try MonotonicClock.measure { try filter.filter.update(to: image) }
        enforcedPolicy = next
        return milliseconds
    }

    func counters() throws -> FilterCounters {
        guard let filter else { return FilterCounters(allowedPackets: 0, deniedPackets: 0) }
        let counters = try filter.counters()
        return FilterCounters(allowedPackets: counters.passed, deniedPackets: counters.dropped)
    }

    var gates: [String: String] {
        var gates: [String: String] = [:]
        if let filter {
            gates["ct_tracker"] = (filter.table.kind == .lru ? TrackerKind.bpfLRU : .bpfSwept).rawValue
            gates["ct_map_type"] = filter.table.kind.mapTypeName
            gates["ct_table_size"] = String(tracking.tableSize)
        }
        if case .swept = owner.table { gates["ct_sweep"] = tracking.sweep.mode.rawValue }
        switch attachments.first {
        case .xdp(let xdp): gates["xdp_mode"] = xdp.mode.rawValue
        case .tc(let tc):
            gates["tc_hook"] = tc.mechanism.rawValue
            if let reason = tc.fallbackReason { gates["tc_fallback_reason"] = reason }
        case nil: break
        }
        return gates
    }

    var caveats: [String] {
        guard case .xdp = attachments.first else { return [] }
        return ["native XDP on veth turns TSO off on the peer while a program is attached, so TCP crosses the pair in "
            + "MTU-sized packets and XDP runs per packet while tc and netfilter see one large GSO packet: xdp's TCP "
            + "throughput understates it; packets per second and CPU per packet are the fair figures."]
    }

    func installedEntries() throws -> Int? {
        let image = try owner.image(enforcedPolicy)
        return image.entryCount + image.clauses.count
    }

    /// BPF_PROG_TEST_RUN in the filter's namespace, on a fresh copy of the filter (so the installed
    /// table holds none of these flows): a packet of an established TCP flow and the first packet of
    /// new flows, beside the stateless filter's time for the same packets on the same policy.
    func microbenchmarks() throws -> [Sample] {
        guard filter != nil, let serverSide = point.egressInterface, let flow = CTMicrobenchmark.flow(for: enforcedPolicy) else {
            return []
        }
        let image = try owner.image(enforcedPolicy)
        let figures = try NetworkNamespace.run(in: point.namespace) {
            let client = try CTFilter.index(of: InterfaceTarget(interface: point.ingressInterface))
            let server = try CTFilter.index(of: InterfaceTarget(interface: serverSide))
            let bench = try CTFilter(variant: owner.variant, image: image, timeouts: tracking.timeouts, kind: owner.table,
                                     capacity: 65_536, clientIndex: client)
            let stateless = try BPFFilter(variant: owner.variant, image: image)
            return try CTMicrobenchmark(filter: bench, stateless: stateless, clientIndex: client, serverIndex: server,
                                        flow: flow).measure()
        }
        return figures.map { Sample(workload: "policy", metric: $0.metric, value: $0.nanoseconds) }
    }

    func startRunTimeWindow() throws -> (any RunTimeWindow)? {
        guard let filter else { return nil }
        return try BPFRunTimeWindow(program: filter.filter.program)
    }

    func pin(under directory: String) throws {
        try BPFPinRoot.ensureMounted()
        try AtomicFile.makeDirectory(directory)
        for (index, attachment) in attachments.enumerated() {
            switch attachment {
            case .xdp(let xdp): try xdp.pin(at: "\(directory)/xdp_link\(index)")
            case .tc(let tc): try tc.pin(at: "\(directory)/tc_link\(index)")
            }
        }
    }

    func remove() throws {
        connectionTracker?.collector?.stop()
        connectionTracker?.stop()
        for attachment in attachments {
            switch attachment {
            case .xdp(let xdp): xdp.detach()
            case .tc(let tc): try tc.detach()
            }
        }
        attachments = []
        connectionTracker = nil
        filter = nil
    }
}
