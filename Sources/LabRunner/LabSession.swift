import Foundation
import LabBackends
import LabNetwork
import LabPolicy
import LabScenario
import LabSystem
import LabTopology

/// A lab left up on purpose by `benchlab up`, for manual exploration. Its journal is marked detached:
/// it outlives the process that made it, and `benchlab down` (or `clean`) replays it.
public struct LabSession {
    public let id: String
    public let topology: Topology
    public let backend: BackendKind
    public let policy: Policy
    /// The compiled policy as installed, saved for inspection.
    public let artifactPath: String?

    public static func up(_ scenario: Scenario, backend kind: BackendKind) throws -> LabSession {
        try Privileges.requireRoot(for: "benchlab up")
        guard scenario.variants.count == 1, let variant = scenario.variants.first else {
            let swept = scenario.parameters.filter { $0.values.count > 1 }
                .map { "\($0.name) (\($0.values.joined(separator: ", ")))" }.joined(separator: ", ")
            throw LabFailure("scenario \(scenario.name) sweeps \(swept): pick one point with --set, e.g. --set \(scenario.parameters.first?.name ?? "name")=\(scenario.parameters.first?.values.first ?? "value")",
                             exitStatus: .badInput)
        }
        try Preflight.requireNamespacesAndVeth()
        let id = LabNames.newID()
        let journal = try Journal.create(id: id, command: "benchlab up \(scenario.name) --backend \(kind.rawValue)", detached: true)
        do {
            let topology = try TopologyBuilder.up(scenario.topology, journal: journal, id: id)
            let backend = try BackendFactory.make(kind)
            // What must outlive this process (BPF links) is pinned, the pins journaled first for `down`.
            let pins = "\(LabNames.pinDirectory)/\(id)"
            // An SNAT policy goes to every gateway, each copy compiled for its egress IP, as a run
            // installs it (PolicyInstallations); the first point's installation describes the lab.
            var primary: (policy: Policy, artifactPath: String)?
            for (index, (point, policy)) in try PolicyInstallations.targets(variant.policy, in: topology).enumerated() {
                let artifact = try backend.compile(policy)
                let installation = try backend.install(artifact, policy: policy, at: point)
                let pinned = index == 0 ? pins : "\(pins)-\(index)"
                try journal.record(.removePath(pinned))
                try installation.pin(under: pinned)
                let artifactPath = "\(journal.directory)/policy\(index == 0 ? "" : "-\(point.namespace)").\(artifact.kind)"
                try AtomicFile.write(artifact.text, to: artifactPath)
                if primary == nil { primary = (installation.enforcedPolicy, artifactPath) }
            }
            guard let primary else { throw LabFailure("benchlab up: topology \(topology.name) has no point to install at") }
            return LabSession(id: id, topology: topology, backend: kind, policy: primary.policy, artifactPath: primary.artifactPath)
        } catch {
            journal.close()
            throw error
        }
    }

    /// Replays the journals of `up` labs (those in `ids`, or all); returns the ids removed.
    public static func down(ids: Set<String>?) throws -> [String] {
        let cleaner = LabCleaner()
        let detached = cleaner.journalDirectories().compactMap { directory -> String? in
            guard let (journal, owner) = try? Journal.open(directory: directory), owner?.detached == true else { return nil }
            return journal.id
        }
        let chosen = ids.map { wanted in detached.filter(wanted.contains) } ?? detached
        if let ids {
            let unknown = ids.subtracting(detached)
            guard unknown.isEmpty else {
                throw LabFailure("no lab \(unknown.sorted().joined(separator: ", ")) is up (labs: \(detached.isEmpty ? "none" : detached.joined(separator: ", ")))",
                                 exitStatus: .badInput)
            }
        }
        guard !chosen.isEmpty else { return [] }
        let report = cleaner.clean(only: Set(chosen))
        guard report.failures.isEmpty else { throw LabFailure("down: \(report.failures.joined(separator: "; "))") }
        return report.journalsReplayed
    }

    /// What `up` prints: where everything is and how to use it.
    public func describe() -> String {
        var lines = ["lab \(id) is up (\(topology.name)); remove it with: benchlab down \(id)", ""]
        lines.append("namespaces:")
        for namespace in topology.namespaces {
            let interfaces = topology.interfaces.filter { $0.namespace == namespace }
                .map { "\($0.name) \($0.address)" }.joined(separator: ", ")
            lines.append("  \(namespace): \(interfaces)")
        }
        lines.append("")
        lines.append("server answers on \(AddressPlan.server) (the whole \(AddressPlan.serviceRange) is local to it)")
        if let plan = topology.addressPlan {
            // Pods are addresses their node owns (gateway preset): the client pool is not the client's.
            for node in plan.nodes {
                let pods = plan.pods.filter { $0.node == node.name }
                lines.append("pods of \(node.name): \(pods.count) in \(node.podCIDR) (\(pods.first?.address ?? "-") … \(pods.last?.address ?? "-"))")
            }
            for point in topology.policyPoints {
                let egress = topology.egressAddress(of: point).map { "\($0)" } ?? "-"
                lines.append("gateway \(point.node): egress IP \(egress) on \(point.egressInterface ?? "-")")
            }
            lines.append("watch the server side: ip netns exec \(topology.server) tcpdump -ni any net \(AddressPlan.lab)")
        } else {
            lines.append("client sources: \(AddressPlan.client) and any address of \(AddressPlan.clientPool.map(\.description).joined(separator: ", "))")
        }
        let point = topology.filterPoint
        lines.append("filter point: \(point.namespace) ingress \(point.ingressInterface) (\(point.hook.rawValue)), backend \(backend.rawValue), \(policy.rules.count) rule(s), default \(policy.defaultAction.rawValue)")
        if let artifactPath { lines.append("installed policy: \(artifactPath)") }
        lines.append("")
        if topology.addressPlan != nil {
            lines.append("connect from a pod by hand: ip netns exec \(topology.client) nc -z -w1 -s \(topology.clientAddress) \(AddressPlan.server) 22")
            return lines.joined(separator: "\n")
        }
        lines.append("probe it by hand (each line says what the policy decides):")
        for (flow, verdict) in examples() {
            lines.append("  \(command(for: flow))    # \(verdict.rawValue)")
        }
        return lines.joined(separator: "\n")
    }

    /// A few flows the policy allows and a few it denies, from the same probe set equivalence uses,
    /// ICMP first (ping needs no server), so a user can check the installed filter independently.
    func examples(perVerdict: Int = 3) -> [(Flow, Action)] {
        let flows = ProbeSetGenerator(randomFlows: 16).probes(for: policy).sorted { ($0.proto == .icmp ? 0 : 1) < ($1.proto == .icmp ? 0 : 1) }
        var picked: [(Flow, Action)] = []
        for action in [Action.deny, .allow] {
            picked += flows.lazy.filter { ReferenceEvaluator.verdict(policy, $0) == action }.prefix(perVerdict).map { ($0, action) }
        }
        return picked
    }

    func command(for flow: Flow) -> String {
        let exec = "ip netns exec \(topology.client)"
        switch flow.proto {
        case .icmp: return "\(exec) ping -c1 -W1 -I \(flow.source) \(flow.destination)"
        case .udp: return "\(exec) nc -u -w1 -s \(flow.source) \(flow.destination) \(flow.destinationPort ?? 0) </dev/null"
        default: return "\(exec) nc -z -w1 -s \(flow.source) \(flow.destination) \(flow.destinationPort ?? 0)"
        }
    }
}
