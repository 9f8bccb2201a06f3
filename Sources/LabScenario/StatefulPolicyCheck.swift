import LabPolicy
import LabTopology

/// Joins `policy.stateful` and the top-level `conntrack:` for one point of the sweep: `conntrack`
/// only means something for a stateful policy, and a stateful policy needs a policy point that
/// forwards (the tracker sees both directions there; at the server's INPUT the replies leave by
/// OUTPUT and never meet it).
struct StatefulPolicyCheck {
    let fields: MappingFields
    let reader: ValueReader
    /// nil when the topology itself was invalid (already reported).
    let topology: TopologySource?

    /// The tracking for `draft` (`.some(nil)`: stateless), or nil after reporting a problem.
    func tracking(of draft: PolicyDraft) -> ConnectionTracking?? {
        let conntrackNode = fields["conntrack"]
        guard let site = draft.statefulSite else {
            // With `snat:` the settings are the translated flows' lifetimes (nf_conntrack's timeouts
            // at the gateways, the BPF NAT's entries), not a stateful filter.
            if fields["snat"] != nil, let conntrackNode {
                return ConntrackReader(reader: reader).read(conntrackNode).map(Optional.some)
            }
            if conntrackNode != nil {
                reader.log.error("'conntrack' needs a stateful policy (add 'stateful: true' under 'policy') or 'snat:'",
                                 at: fields.keyPosition("conntrack") ?? fields.position)
                return nil
            }
            return .some(nil)
        }
        if let topology, !Self.forwards(topology) {
            reader.log.error("a stateful policy needs a policy point that forwards (topology '\(topology.name)' filters at the server's INPUT, "
                             + "where replies never pass); use topology routed", at: site)
            return nil
        }
        guard let conntrackNode else { return .some(ConnectionTracking()) }
        return ConntrackReader(reader: reader).read(conntrackNode).map(Optional.some)
    }

    /// Whether the topology's policy point is a FORWARD hook, from its plan (pure: no kernel).
    static func forwards(_ topology: TopologySource) -> Bool {
        TopologyPlan(source: topology, id: "check0").topology.filterPoint.hook == .forward
    }
}
