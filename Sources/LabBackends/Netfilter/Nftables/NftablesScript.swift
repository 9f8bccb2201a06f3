import LabNetwork
import LabPolicy
import LabTopology

/// The nft scripts of the nftables backend. One `ip` table holds everything benchlab adds:
///   - `ip`, not `inet`: the policy is IPv4 only, and in an `ip` table `ip saddr` needs no implicit
///     `meta nfproto ipv4` check in front of it, so no rule pays for a family dispatch it does not
///     need; it is also what iptables-nft itself builds (`table ip filter`). IPv6 would add an
///     `ip6` table or move to `inet`.
///   - `blpolicy`: a regular chain, one rule per clause, each with a `counter`, closed by the default
///     verdict. Chain names avoid nft keywords (`policy`, `forward` and `input` are keywords).
///   - `blhook`: the base chain, added at install because only then is the filter point known.
/// The drop-point placements (`NftablesPlacement`) change the family (`netdev` for ingress) and the
/// base chain; every function here takes the family, defaulting to the filter placement's `ip`.
enum NftablesScript {
    static let family = NftablesPlacement.filter.family
    static let table = "benchlab"
    static let policyChain = "blpolicy"
    static let hookChain = "blhook"
    /// A stateful policy's connection-state chain (see `StatefulLayout`).
    static let stateChain = "blstate"

    static func setName(clause: Int) -> String { "src_c\(clause)" }

    /// The table with its sets and the policy chain. Not reachable until `attachment` is added.
    /// A stateful policy adds the state chain with its interface-free rules; the interface rules
    /// need the filter point and come with the attachment.
    static func policy(_ layout: ChainLayout, comment: [String], stateful: Bool = false, family: String = family) -> String {
        var lines = comment.map { "# \($0)" }
        lines.append("table \(family) \(table) {")
        for set in layout.sets { lines += setDeclaration(set.name, set.prefixes) }
        lines.append("\tchain \(policyChain) {")
        for rule in layout.rules { lines.append("\t\t\(statement(rule))") }
        lines.append("\t\tcounter \(verdict(layout.defaultAction))")
        lines.append("\t}")
        if stateful {
            lines.append("\tchain \(stateChain) {")
            lines.append("\t\tct state \(StatefulLayout.passingStates.joined(separator: ",")) accept")
            lines.append("\t\tct state invalid drop")
            lines.append("\t}")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Prefix sets are interval sets. `auto-merge` joins overlapping and adjacent prefixes into one
    /// interval instead of failing with "interval overlaps with an existing one"; every element of a
    /// set belongs to one clause (one action), so merging cannot change a verdict. It is also what
    /// lets an update add a prefix that overlaps elements already in the set.
    static func setDeclaration(_ name: String, _ prefixes: [IPv4Prefix]) -> [String] {
        var lines = ["\tset \(name) {", "\t\ttype ipv4_addr", "\t\tflags interval", "\t\tauto-merge", "\t\telements = {"]
        lines.reserveCapacity(prefixes.count + 8)
        for (index, prefix) in prefixes.enumerated() {
            lines.append("\t\t\t\(prefix)\(index == prefixes.count - 1 ? "" : ",")")
        }
        lines += ["\t\t}", "\t}"]
        return lines
    }

    /// The base chain on the filter point's hook: only packets entering the ingress interface jump
    /// to the policy; replies arrive on the other interface and meet the base chain's accept policy.
    /// Added in the same `nft -f` transaction as the policy, so it is never reachable half-built.
    /// A stateful script gets `statefulAttachment` instead.
    static func attachment(at point: FilterPoint, stateful: Bool = false, placement: NftablesPlacement = .filter) -> String {
        if stateful, let attachment = statefulAttachment(at: point) { return attachment }
        return """
        table \(placement.family) \(table) {
        \tchain \(hookChain) {
        \t\t\(placement.hookLine(point))
        \t\t\(placement.jumpRule(point, to: policyChain))
        \t}
        }

        """
    }

    /// Whether a `policy` script is a stateful one (it declares the state chain).
    static func isStateful(_ script: String) -> Bool { script.contains("\n\tchain \(stateChain) {\n") }

    /// A stateful policy's attachment: the base chain sends every forwarded packet to the state
    /// chain, which gets its interface rules here — new flows from the client side go to the
    /// policy chain, anything else from the server side is dropped. nil for a point that does not
    /// forward (refused before: the scenario reader and `NetfilterSupport` check it).
    static func statefulAttachment(at point: FilterPoint) -> String? {
        guard point.hook == .forward, let egress = point.egressInterface else { return nil }
        return """
        table \(family) \(table) {
        \tchain \(stateChain) {
        \t\tiifname "\(point.ingressInterface)" ct state new jump \(policyChain)
        \t\tiifname "\(egress)" drop
        \t}
        \tchain \(hookChain) {
        \t\ttype filter hook forward priority filter; policy accept;
        \t\tjump \(stateChain)
        \t}
        }

        """
    }

    /// The rule body: cheap header compares first, the source (a set lookup, when it is a set) last,
    /// since nft evaluates expressions in order and stops at the first that fails.
    static func statement(_ rule: NetfilterRule) -> String {
        var parts: [String] = []
        if let destination = rule.destination { parts.append("ip daddr \(destination)") }
        switch (rule.proto, rule.destinationPorts) {
        case (.any, _): break
        case (let proto, let ports?): parts.append("\(proto.rawValue) dport \(ports)")
        case (let proto, nil): parts.append("ip protocol \(proto.rawValue)")
        }
        switch rule.source {
        case .any: break
        case .prefix(let prefix): parts.append("ip saddr \(prefix)")
        case .set(let name, _): parts.append("ip saddr @\(name)")
        }
        parts.append("counter \(verdict(rule.action))")
        return parts.joined(separator: " ")
    }

    static func verdict(_ action: Action) -> String { action == .allow ? "accept" : "drop" }

    /// One rule in front of the policy chain.
    static func insertion(_ rule: NetfilterRule, family: String = family) -> String {
        "insert rule \(family) \(table) \(policyChain) \(statement(rule))\n"
    }

    static func elementAddition(set name: String, _ prefix: IPv4Prefix, family: String = family) -> String {
        "add element \(family) \(table) \(name) { \(prefix) }\n"
    }

    /// Declaring the table first makes the delete succeed when there is no table: removal is
    /// idempotent in one transaction, with no query before it.
    static func removal(family: String) -> String { "table \(family) \(table)\ndelete table \(family) \(table)\n" }
    static var removal: String { removal(family: family) }
}
