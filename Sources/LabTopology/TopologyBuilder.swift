import Foundation
import LabNetwork
import LabSystem

/// Builds a topology in fresh namespaces, journaling each namespace before creating it. Links are
/// created directly inside their namespaces (never in the root namespace), so deleting the
/// namespaces removes everything; nothing reaches outside 198.18.0.0/15 because no namespace gets a
/// route outside it (no default route at all). Any valid `TopologySpec` builds the same way.
public enum TopologyBuilder {
    public static func up(_ preset: TopologyPreset, journal: Journal, id: String = LabNames.newID()) throws -> Topology {
        try up(TopologyPlan(preset: preset, id: id), journal: journal)
    }

    public static func up(_ source: TopologySource, journal: Journal, id: String = LabNames.newID()) throws -> Topology {
        try up(TopologyPlan(source: source, id: id), journal: journal)
    }

    public static func up(_ plan: TopologyPlan, journal: Journal) throws -> Topology {
        for namespace in plan.topology.namespaces {
            try Cancellation.shared.checkpoint()
            try journal.record(.deleteNamespace(namespace))
            try IPCommand.run(["netns", "add", namespace], doing: "create namespace \(namespace)")
            try NamespaceSysctls.apply(plan.sysctls(for: namespace), in: namespace)
        }
        for link in plan.links {
            switch link.kind {
            case .veth:
                try IPCommand.run(["link", "add", link.a.name, "netns", link.a.namespace, "address", link.a.mac,
                                   "type", "veth", "peer", "name", link.b.name, "netns", link.b.namespace,
                                   "address", link.b.mac],
                                  doing: "create veth \(link.a.name) ⇄ \(link.b.name)")
            }
        }
        for namespace in plan.topology.namespaces {
            try Cancellation.shared.checkpoint()
            try IPCommand.batch(plan.commands(for: namespace), in: namespace)
        }
        return plan.topology
    }
}
