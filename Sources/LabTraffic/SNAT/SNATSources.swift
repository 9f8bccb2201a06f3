import Foundation
import LabNetwork
import LabPolicy
import LabSystem
import LabTopology

/// The pod addresses the SNAT workloads connect from. In the gateway topology these are the IPAM
/// plan's pods (`Topology.podAddresses`); elsewhere (pair, routed) the client pool stands in for them.
/// Either way only sources the policy lets out are used: the filter's reference must allow TCP to the
/// server port, and when the policy has SNAT an egress rule must select the source — an unselected
/// pod's connections would be dropped at the gateway and counted as port exhaustion.
public enum SNATSources {
    /// Up to `wanted` distinct pods of the client node that leave through the gateway.
    public static func pods(_ topology: Topology, policy: Policy, port: UInt16, wanted: Int, workload: String) throws -> [IPv4Address] {
        let pool = SourcePool(topology: topology)
        let candidates = pool.preferred.isEmpty ? PacketRateSources.candidates(policy) : pool.preferred
        let chosen = Array(candidates.lazy.filter { leaves($0, policy: policy, port: port) }.prefix(wanted))
        guard !chosen.isEmpty else {
            throw LabFailure("\(workload): no \(pool.noun) may leave: the "
                             + "policy denies TCP to \(topology.serverAddress):\(port) or no egress rule selects any of them")
        }
        return chosen
    }

    /// `count` new pod addresses no egress rule selects yet (so the gateway drops them until a rule
    /// is added), that are not existing pods and not in `excluding`: from the top of the client
    /// node's pod CIDR when the topology has an IPAM plan (IPAM hands out from the bottom), else from
    /// the client pool.
    public static func newPods(_ topology: Topology, policy: Policy, port: UInt16, count: Int, excluding: Set<IPv4Address>,
                               workload: String) throws -> [IPv4Address] {
        let existing = Set(topology.podAddresses).union(excluding)
        var chosen: [IPv4Address] = []
        for candidate in newPodCandidates(topology, policy: policy) where chosen.count < count {
            guard !existing.contains(candidate), !chosen.contains(candidate) else { continue }
            let allowed = ReferenceEvaluator.verdict(policy, Flow(proto: .tcp, source: candidate, destination: topology.serverAddress,
                                                                  destinationPort: port)) == .allow
            let unselected = policy.snat.map { EgressReference.egressIP($0, source: candidate) == nil } ?? true
            if allowed && unselected { chosen.append(candidate) }
        }
        guard chosen.count == count else {
            throw LabFailure("\(workload): found \(chosen.count) of \(count) new pod addresses that no egress rule selects "
                             + "(and that were not used before); lower samples")
        }
        return chosen
    }

    static func leaves(_ source: IPv4Address, policy: Policy, port: UInt16) -> Bool {
        SourcePool.verdict(policy, Flow(proto: .tcp, source: source, destination: AddressPlan.server, destinationPort: port)) == .allow
    }

    private static func newPodCandidates(_ topology: Topology, policy: Policy) -> [IPv4Address] {
        let clientNode = topology.node(role: .client)?.name
        if let plan = topology.addressPlan, let node = plan.nodes.first(where: { $0.name == clientNode }) ?? plan.nodes.first,
           let cidr = IPv4Prefix(node.podCIDR), cidr.size > 4 {
            let gateway = IPv4Address(node.gateway)
            // Top down, skipping the broadcast address; at most 4096 looked at.
            return (1...min(Int(cidr.size) - 2, 4096)).map { IPv4Address(cidr.last.value - UInt32($0)) }.filter { $0 != gateway }
        }
        return PacketRateSources.candidates(policy)
    }
}

/// Addresses already given an egress rule by `masquerade-delay` through a translator, per translator:
/// the rules stay installed for the rest of the case, so a later repeat must pick other addresses or
/// it would measure a source that already leaves.
final class ProgrammedSources: @unchecked Sendable {
    static let shared = ProgrammedSources()
    private let lock = NSLock()
    private var byTranslator: [ObjectIdentifier: Set<IPv4Address>] = [:]

    func used(_ translators: [ObjectIdentifier]) -> Set<IPv4Address> {
        lock.lock()
        defer { lock.unlock() }
        return translators.reduce(into: Set()) { $0.formUnion(byTranslator[$1] ?? []) }
    }

    func record(_ address: IPv4Address, _ translators: [ObjectIdentifier]) {
        lock.lock()
        defer { lock.unlock() }
        for id in translators { byTranslator[id, default: []].insert(address) }
    }
}
