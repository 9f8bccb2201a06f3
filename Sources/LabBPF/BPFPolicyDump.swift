import CLibBPF
import LabPolicy

extension BPFPolicyImage {
    /// The image as stable text: the xdp/tc backends' compiled artifact, golden-tested. Every map is
    /// printed in full (port slots folded into runs of equal consecutive slots, which is exact).
    public var dump: String {
        var lines = ["# benchlab BPF filter image (bpf/filter.bpf.c maps)", "default: \(defaultAction.rawValue)"]
        lines.append("clauses: \(clauses.count)")
        for clause in clauses { lines.append("  \(clause.index): \(Self.describe(clause))") }

        lines.append("bl_masks[bank]:")
        for (name, set) in [("src_any", masks.sourceAny), ("dst_any", masks.destinationAny), ("l4_any", masks.protocolAny),
                            ("l4_tcp", masks.tcp), ("l4_udp", masks.udp), ("l4_icmp", masks.icmp), ("deny", masks.deny)] {
            lines.append("  \(name.padding(toLength: 8, withPad: " ", startingAt: 0)) \(set)")
        }
        lines.append("  lookups  \(Self.describeLookups(masks.lookups))")
        for (name, entries) in [("bl_src_hosts", sourceHosts), ("bl_src_prefixes", sourcePrefixes),
                                ("bl_dst_hosts", destinationHosts), ("bl_dst_prefixes", destinationPrefixes)] {
            lines.append("\(name): \(entries.count) entries")
            lines += entries.map { "  \($0.prefix) \($0.clauses)" }
        }
        lines.append("bl_ports: \(portSlotCount) non-empty slots in \(portRuns.count) runs")
        for run in portRuns {
            let ports = run.ports.count == 1 ? "\(run.ports.lowerBound)" : "\(run.ports.lowerBound)-\(run.ports.upperBound)"
            lines.append("  \(run.proto.rawValue) \(ports) \(run.clauses)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func describeLookups(_ lookups: UInt64) -> String {
        let names = [(BL_LOOKUP_SRC_HOSTS, "src_hosts"), (BL_LOOKUP_SRC_PREFIXES, "src_prefixes"),
                     (BL_LOOKUP_DST_HOSTS, "dst_hosts"), (BL_LOOKUP_DST_PREFIXES, "dst_prefixes")]
        let set = names.filter { lookups & UInt64($0.0) != 0 }.map(\.1)
        return set.isEmpty ? "none" : set.joined(separator: ",")
    }

    static func describe(_ clause: Clause) -> String {
        var parts = [clause.action.rawValue, clause.proto.rawValue]
        if let sources = clause.sources {
            parts.append(sources.count <= 4 ? "from " + sources.map(\.description).joined(separator: ",")
                                            : "from \(sources.count) prefixes (\(sources[0]) ...)")
        }
        if let destination = clause.destination { parts.append("to \(destination)") }
        if let ports = clause.destinationPorts { parts.append("port \(ports)") }
        let rules = clause.rules.count == 1 ? "rule \(clause.rules.lowerBound)"
                                            : "rules \(clause.rules.lowerBound)-\(clause.rules.upperBound - 1)"
        return parts.joined(separator: " ") + "  [\(rules)]"
    }
}
