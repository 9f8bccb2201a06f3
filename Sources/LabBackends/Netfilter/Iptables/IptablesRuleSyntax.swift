import LabPolicy

/// A `NetfilterRule` as iptables arguments, in the order `iptables-save` prints them, so a saved
/// ruleset reads like the artifact: `-s 198.18.16.0/24 -d 198.18.1.0/24 -p tcp -m tcp --dport 80:90 -j DROP`.
enum IptablesRuleSyntax {
    static func arguments(_ rule: NetfilterRule) -> String {
        var parts: [String] = []
        if case .prefix(let prefix) = rule.source { parts.append("-s \(prefix)") }
        if let destination = rule.destination { parts.append("-d \(destination)") }
        if rule.proto != .any { parts.append("-p \(rule.proto.rawValue)") }
        if let ports = rule.destinationPorts {
            // iptables writes a range with a colon; `-m tcp`/`-m udp` is what `-p` loads implicitly.
            let text = ports.isSinglePort ? "\(ports.lower)" : "\(ports.lower):\(ports.upper)"
            parts.append("-m \(rule.proto.rawValue) --dport \(text)")
        }
        // The set lookup goes last: matches run in order and stop at the first miss, so the cheap
        // header compares filter first (xt_set hashes the address for every packet that reaches it).
        if case .set(let name, _) = rule.source { parts.append("-m set --match-set \(name) src") }
        parts.append("-j \(verdict(rule.action))")
        return parts.joined(separator: " ")
    }

    static func verdict(_ action: Action) -> String { action == .allow ? "ACCEPT" : "DROP" }
}
