import LabBPF
import LabConntrack
import LabNetwork
import LabPolicy
import LabResults
import LabSystem
import LabTopology

/// The stateful filter installed at a forwarding point: the object, its table (the lab's, or none of
/// its own for the kfunc tracker), its two attachments (client side and server side) and, for the
/// swept table, the collector thread — all go with remove().
final class CTInstallation: Installation {
    let owner: CTBackend
    let point: FilterPoint
    let installMilliseconds: Double?
    let tracking: ConnectionTracking
    private(set) var enforcedPolicy: Policy
    private var program: (any StatefulProgram)?
    private var attachments: [FilterAttachment]
    private var connectionTracker: (any ConnectionTracker)?
    /// The swept table's collector, stopped at remove().
    private var collector: CTCollector?

    init(owner: CTBackend, program: any StatefulProgram, attachments: [FilterAttachment], point: FilterPoint, policy: Policy,
         tracking: ConnectionTracking, installMilliseconds: Double) throws {
        self.owner = owner
        self.program = program
        self.attachments = attachments
        self.point = point
        self.enforcedPolicy = policy
        self.tracking = tracking
        self.installMilliseconds = installMilliseconds
        if let filter = program as? CTFilter {
            collector = filter.table.kind == .swept
                ? CTCollector(table: filter.table, lifetimes: filter.lifetimes, settings: tracking.sweep) : nil
            connectionTracker = BPFConnectionTracker(filter: filter, installedSize: tracking.tableSize, collector: collector)
        } else if let kfunc = program as? CTKfuncFilter {
            connectionTracker = try KfuncConnectionTracker(filter: kfunc, namespace: point.namespace)
        }
    }

    var backend: BackendKind { owner.kind }
    var tracker: (any ConnectionTracker)? { connectionTracker }

    /// The policy part is updated as in the stateless filter (standby bank, one flip); tracked flows stay.
    func update(adding rule: Rule) throws -> Double? {
        guard let program else { throw LabFailure("update \(backend.rawValue): the installation was removed") }
        let next = enforcedPolicy.inserting(rule)
        let image = try owner.image(next)
        let (_, milliseconds) = try MonotonicClock.measure { try program.filter.update(to: image) }
        enforcedPolicy = next
        return milliseconds
    }

    func counters() throws -> FilterCounters {
        guard let program else { return FilterCounters(allowedPackets: 0, deniedPackets: 0) }
        let counters = try program.counters()
        return FilterCounters(allowedPackets: counters.passed, deniedPackets: counters.dropped)
    }

    var gates: [String: String] {
        var gates: [String: String] = [:]
        switch owner.table {
        case .lru?:
            gates["ct_tracker"] = TrackerKind.bpfLRU.rawValue
            gates["ct_map_type"] = CTTableKind.lru.mapTypeName
        case .swept?:
            gates["ct_tracker"] = TrackerKind.bpfSwept.rawValue
            gates["ct_map_type"] = CTTableKind.swept.mapTypeName
            gates["ct_sweep"] = tracking.sweep.mode.rawValue
        case nil:
            gates["ct_tracker"] = TrackerKind.bpfKfunc.rawValue
            gates["ct_map_type"] = "nf_conntrack"
        }
        gates["ct_table_size"] = String(tracking.tableSize)
        // Both sides attach the same way; the first says how.
        gates.merge(attachments.first?.gates ?? [:]) { own, _ in own }
        return gates
    }

    var caveats: [String] {
        attachments.first?.isXDP == true ? [BPFInstallation.xdpOnVethCaveat] : []
    }

    func installedEntries() throws -> Int? {
        let image = try owner.image(enforcedPolicy)
        return image.entryCount + image.clauses.count
    }

    /// BPF_PROG_TEST_RUN in the filter's namespace on a fresh copy of the program: a packet of an
    /// established flow and the first packets of new flows, beside the stateless filter's time for the
    /// same packets on the same policy. The lab's tracker gets a table of its own, so the installed one
    /// holds none of these flows; the kfunc tracker's flows land in the namespace's nf_conntrack table,
    /// so it is timed on the established flow only (one entry, not a thousand).
    func microbenchmarks() throws -> [Sample] {
        guard program != nil, let serverSide = point.egressInterface, let flow = CTMicrobenchmark.flow(for: enforcedPolicy) else {
            return []
        }
        let image = try owner.image(enforcedPolicy)
        let figures = try NetworkNamespace.run(in: point.namespace) {
            let client = try CTFilter.index(of: InterfaceTarget(interface: point.ingressInterface))
            let server = try CTFilter.index(of: InterfaceTarget(interface: serverSide))
            let bench: any StatefulProgram = if let table = owner.table {
                try CTFilter(variant: owner.variant, image: image, timeouts: tracking.timeouts, kind: table, capacity: 65_536,
                             clientIndex: client)
            } else {
                try CTKfuncFilter(variant: owner.variant, image: image, timeouts: tracking.timeouts, clientIndex: client)
            }
            let stateless = try BPFFilter(variant: owner.variant, image: image)
            return try CTMicrobenchmark(filter: bench, stateless: stateless, clientIndex: client, serverIndex: server,
                                        flow: flow).measure(newFlows: owner.table != nil)
        }
        return figures.map { Sample(workload: "policy", metric: $0.metric, value: $0.nanoseconds) }
    }

    func startRunTimeWindow() throws -> (any RunTimeWindow)? {
        guard let program else { return nil }
        return try BPFRunTimeWindow(program: program.filter.program)
    }

    func pin(under directory: String) throws { try FilterAttachment.pin(attachments, under: directory) }

    func remove() throws {
        collector?.stop()
        collector = nil
        connectionTracker?.stop()
        for attachment in attachments { try attachment.detach() }
        attachments = []
        connectionTracker = nil
        program = nil
    }
}
