import LabBPF
import LabNetwork
import LabPolicy
import LabResults
import LabSystem
import LabTopology

/// `tc-snat`: the lab's BPF SNAT (bpf/snat.bpf.c) for an egress gateway, on tc egress and ingress of
/// the gateway's external interface (FilterPoint.egressInterface): selected pods leave with the
/// egress IP and a port of the range, everything else a pod sends there is dropped, replies are
/// translated back. Its NAT maps live as long as the tracker's flows (the policy's timeouts and
/// table size), in an LRU hash or a swept plain hash (`table`). Install time covers load and
/// verification, the selection fill and both attaches.
public final class SNATBackend: FilterBackend {
    let table: CTTableKind

    public init(table: CTTableKind = .lru) {
        self.table = table
    }

    public var kind: BackendKind { table == .swept ? .tcSnatSwept : .tcSnat }

    /// The gateway's configuration as text: what is loaded, then the selection trie in order.
    public func compile(_ policy: Policy) throws -> BackendArtifact {
        let configuration = try self.configuration(policy)
        let tracking = policy.tracking ?? ConnectionTracking()
        var lines = [
            "# tc-snat at egress IP \(configuration.egressAddress), ports \(configuration.ports.lower)-\(configuration.ports.upper), "
                + (configuration.randomFully ? "every port random (random_fully)" : "original port kept when free, else random"),
            "# nat maps: forward + reverse \(table.mapTypeName), \(configuration.capacity) entries each; "
                + "\(PortExhaustionModel.ciliumTries) random tries, then drop",
            "# lifetimes (the tracker's): " + tracking.timeouts.named.map { "\($0.key)=\($0.seconds)s" }.joined(separator: " "),
            "# egress selection (LPM trie, first rule wins: a later rule's prefix inside an earlier one is shadowed "
                + "and left out; a source in no entry is dropped)",
        ]
        lines += configuration.selection.map(\.description)
        return BackendArtifact(kind: "maps", text: lines.joined(separator: "\n") + "\n")
    }

    public func install(_ artifact: BackendArtifact, policy: Policy, at point: FilterPoint) throws -> any Installation {
        let configuration = try self.configuration(policy)
        guard let external = point.egressInterface else {
            throw BackendUnsupported(kind, "SNAT needs the gateway's external interface (a forwarding point); "
                + "\(point.namespace) is an input point")
        }
        let target = InterfaceTarget(interface: external, namespace: point.namespace)
        var loaded: (SNATProgram, [FilterAttachment])?
        let (_, milliseconds) = try KernelFeatureGap.unsupported(kind) { try MonotonicClock.measure {
            let program = try SNATProgram(configuration)
            // Ingress first: a reply must never find the egress side translating without its way back.
            let ingress = try FilterAttachment.tc(program.ingress, .ingress, to: target)
            let egress = try FilterAttachment.tc(program.egress, .egress, to: target)
            loaded = (program, [egress, ingress])
        } }
        guard let (program, attachments) = loaded else { throw LabFailure("install \(kind.rawValue): the SNAT did not attach") }
        return SNATInstallation(owner: self, program: program, attachments: attachments, point: point, policy: policy,
                                tracking: policy.tracking ?? ConnectionTracking(), installMilliseconds: milliseconds)
    }

    func configuration(_ policy: Policy) throws -> SNATConfiguration {
        guard let snat = policy.snat else { throw BackendUnsupported(kind, "needs an snat policy") }
        guard snat.gateway != nil else {
            throw BackendUnsupported(kind, "the snat policy names no gateway: install one gateway's share (SNATPolicy.at(gateway:))")
        }
        return SNATConfiguration(policy: snat, tracking: policy.tracking, kind: table)
    }
}
