import LabBPF
import LabNetwork
import LabPolicy

/// The lookup of bpf/lib/policy.h, written again in Swift over a BPFPolicyImage, so the compiler's
/// output can be checked against ReferenceEvaluator without a kernel (the integration tests then
/// check the real program against the same reference). Deliberately naive: linear scans.
struct ImageEvaluator {
    let image: BPFPolicyImage

    func verdict(_ flow: Flow) -> Action {
        var candidates = l4(flow)
        candidates &= image.masks.sourceAny.bits | longestMatch(image.sourceHosts + image.sourcePrefixes, flow.source)
        candidates &= image.masks.destinationAny.bits | longestMatch(image.destinationHosts + image.destinationPrefixes, flow.destination)
        guard candidates != 0 else { return image.defaultAction }
        let first = candidates & (~candidates &+ 1)
        return first & image.masks.deny.bits != 0 ? .deny : .allow
    }

    private func l4(_ flow: Flow) -> UInt64 {
        var clauses = image.masks.protocolAny.bits
        switch flow.proto {
        case .tcp: clauses |= image.masks.tcp.bits
        case .udp: clauses |= image.masks.udp.bits
        case .icmp: return clauses | image.masks.icmp.bits
        case .any: preconditionFailure("flows have a concrete protocol")
        }
        if let port = flow.destinationPort,
           let run = image.portRuns.first(where: { $0.proto == flow.proto && $0.ports.contains(port) }) {
            clauses |= run.clauses.bits
        }
        return clauses
    }

    /// The value of the longest prefix containing `address` (what the LPM trie returns), 0 on a miss.
    private func longestMatch(_ entries: [BPFPolicyImage.PrefixEntry], _ address: IPv4Address) -> UInt64 {
        entries.filter { $0.prefix.contains(address) }.max { $0.prefix.length < $1.prefix.length }?.clauses.bits ?? 0
    }
}
