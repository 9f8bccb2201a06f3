import LabBPF
import LabNetwork
import LabPolicy
import LabResults
import LabSystem
import LabTopology

/// `xdp-ct-lru`, `tc-ct-lru`, `xdp-ct-swept`, `tc-ct-swept`: benchlab's stateful filter
/// (bpf/ct_filter.bpf.c) with the policy in its maps and the lab's tracker in an LRU or plain hash
/// of the scenario's table size; `xdp-ct-kfunc`, `tc-ct-kfunc`: the same semantics on nf_conntrack
/// through the conntrack kfuncs (bpf/ct_kfunc.bpf.c). Attached to the ingress of both interfaces of
/// a forwarding filter point. Install time covers load and verification, the map fill and both attaches.
public final class CTBackend: FilterBackend {
    let variant: FilterVariant
    /// The lab's table kind; nil for the kfunc tracker (nf_conntrack's table).
    let table: CTTableKind?
    private let images = PolicyImageCache()

    public init(variant: FilterVariant, table: CTTableKind?) {
        self.variant = variant
        self.table = table
    }

    public var kind: BackendKind {
        switch (variant, table) {
        case (.xdp, .lru): return .xdpCtLRU
        case (.tc, .lru): return .tcCtLRU
        case (.xdp, .swept): return .xdpCtSwept
        case (.tc, .swept): return .tcCtSwept
        case (.xdp, nil): return .xdpCtKfunc
        case (.tc, nil): return .tcCtKfunc
        }
    }

    public func compile(_ policy: Policy) throws -> BackendArtifact {
        let tracking = try self.tracking(policy)
        let store = table.map { "\($0.rawValue) (\($0.mapTypeName)), \(tracking.tableSize) entries" }
            ?? "nf_conntrack through kfuncs (TCP, UDP), ICMP echo in a \(CTKfuncFilter.icmpTableCapacity)-entry lru (\(CTTableKind.lru.mapTypeName))"
        let header = "# tracker \(store); timeouts "
            + tracking.timeouts.named.map { "\($0.key)=\($0.seconds)s" }.joined(separator: " ") + "\n"
        return BackendArtifact(kind: "maps", text: header + (try image(policy).dump))
    }

    public func install(_ artifact: BackendArtifact, policy: Policy, at point: FilterPoint) throws -> any Installation {
        let tracking = try self.tracking(policy)
        guard point.hook == .forward, let serverSide = point.egressInterface else {
            throw BackendUnsupported(kind, "a stateful filter needs a forwarding filter point (topology routed) to see "
                + "both directions; \(point.namespace) is an input point")
        }
        let image = try image(policy)
        if table == nil, let reason = CTKfuncFilter.unavailability(variant: variant) {
            throw BackendUnsupported(kind, "not available on this kernel: \(reason)")
        }
        let client = InterfaceTarget(interface: point.ingressInterface, namespace: point.namespace)
        let server = InterfaceTarget(interface: serverSide, namespace: point.namespace)
        var loaded: (any StatefulProgram, [FilterAttachment])?
        let (_, milliseconds) = try KernelFeatureGap.unsupported(kind) { try MonotonicClock.measure {
            let clientIndex = try CTFilter.index(of: client)
            let program: any StatefulProgram = if let table {
                try CTFilter(variant: variant, image: image, timeouts: tracking.timeouts, kind: table,
                             capacity: tracking.tableSize, clientIndex: clientIndex)
            } else {
                try CTKfuncFilter(variant: variant, image: image, timeouts: tracking.timeouts, clientIndex: clientIndex)
            }
            let attachments = try [client, server].map { try FilterAttachment.attach(program.filter, variant, to: $0) }
            loaded = (program, attachments)
        } }
        guard let (program, attachments) = loaded else { throw LabFailure("install \(kind.rawValue): the filter did not attach") }
        return try CTInstallation(owner: self, program: program, attachments: attachments, point: point, policy: policy,
                              tracking: tracking, installMilliseconds: milliseconds)
    }

    private func tracking(_ policy: Policy) throws -> ConnectionTracking {
        guard let tracking = policy.tracking else {
            throw BackendUnsupported(kind, "a connection-tracking filter needs a stateful policy (stateful: true); "
                + "use \(variant.rawValue) for a stateless one")
        }
        return tracking
    }

    func image(_ policy: Policy) throws -> BPFPolicyImage {
        try images.image(policy, for: kind)
    }
}
