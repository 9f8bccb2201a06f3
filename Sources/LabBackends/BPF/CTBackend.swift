import LabBPF
import LabNetwork
import LabPolicy
import LabResults
import LabSystem
import LabTopology

/// `xdp-ct-lru`, `tc-ct-lru`, `xdp-ct-swept`, `tc-ct-swept`: benchlab's stateful filter
/// (bpf/ct_filter.bpf.c) with the policy in its maps and the lab's tracker in an LRU or plain hash
/// of the scenario's table size, attached to the ingress of both interfaces of a forwarding filter
/// point. Install time covers load and verification, the map fill and both attaches.
public final class CTBackend: FilterBackend {
    let variant: FilterVariant
    let table: CTTableKind
    private var compiled: (policy: Policy, image: BPFPolicyImage)?

    public init(variant: FilterVariant, table: CTTableKind) {
        self.variant = variant
        self.table = table
    }

    public var kind: BackendKind {
        switch (variant, table) {
        case (.xdp, .lru): return .xdpCtLRU
        case (.tc, .lru): return .tcCtLRU
        case (.xdp, .swept): return .xdpCtSwept
        case (.tc, .swept): return .tcCtSwept
        }
    }

    public func compile(_ policy: Policy) throws -> BackendArtifact {
        let tracking = try self.tracking(policy)
        let header = "# tracker \(table.rawValue) (\(table.mapTypeName)), \(tracking.tableSize) entries; timeouts "
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
        let client = InterfaceTarget(interface: point.ingressInterface, namespace: point.namespace)
        let server = InterfaceTarget(interface: serverSide, namespace: point.namespace)
        var loaded: (CTFilter, [CTInstallation.Attachment])?
        let (_, milliseconds) = try MonotonicClock.measure {
            let filter = try CTFilter(variant: variant, image: image, timeouts: tracking.timeouts, kind: table,
                                      capacity: tracking.tableSize, clientIndex: try CTFilter.index(of: client))
            let attachments = try [client, server].map { target -> CTInstallation.Attachment in
                switch variant {
                case .xdp: return .xdp(try filter.filter.attachXDP(to: target, mode: .native))
                case .tc: return .tc(try filter.filter.attachTCIngress(to: target))
                }
            }
            loaded = (filter, attachments)
        }
        guard let (filter, attachments) = loaded else { throw LabFailure("install \(kind.rawValue): the filter did not attach") }
        return CTInstallation(owner: self, filter: filter, attachments: attachments, point: point, policy: policy,
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
        if let compiled, compiled.policy == policy { return compiled.image }
        do {
            let image = try BPFPolicyCompiler.compile(policy)
            compiled = (policy, image)
            return image
        } catch let error as BPFPolicyUnsupported {
            throw BackendUnsupported(kind, error.reason)
        }
    }
}
