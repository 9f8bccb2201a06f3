import LabNetwork
/// A run of consecutive rules that differ only in their source prefix, folded into one clause with a
/// prefix *set*. First-match order is kept exactly: the rules of a run share one action, so which of
/// them matches first does not change the verdict. This is how every backend sees a policy: the
/// linear iptables chain expands a clause back into one rule per prefix; ipset, nftables and BPF
/// use a set (hash:net, interval set, LPM trie) per clause.
public struct Clause: Hashable, Sendable {
    /// Position in the clause list; also the bit index BPF uses.
    public let index: Int
    public let action: Action
    /// nil: any source. Otherwise sorted, de-duplicated.
    public let sources: [IPv4Prefix]?
    public let destination: IPv4Prefix?
    public let proto: IPProtocol
    public let destinationPorts: PortRange?
    /// The policy rules this clause came from.
    public let rules: Range<Int>

    /// True when the clause is one rule with at most one source prefix: no set is needed for it.
    public var isSingleRule: Bool { rules.count == 1 }
}

public enum ClauseCompiler {
    public static func clauses(_ policy: Policy) -> [Clause] {
        var result: [Clause] = []
        var start = 0
        let rules = policy.rules
        while start < rules.count {
            var end = start + 1
            if rules[start].source != nil {
                while end < rules.count, rules[end].source != nil, sameExceptSource(rules[end], rules[start]) { end += 1 }
            }
            let first = rules[start]
            let sources = first.source == nil ? nil : Array(Set(rules[start..<end].compactMap(\.source))).sorted()
            result.append(Clause(index: result.count, action: first.action, sources: sources,
                                 destination: first.destination, proto: first.proto,
                                 destinationPorts: first.destinationPorts, rules: start..<end))
            start = end
        }
        return result
    }

    static func sameExceptSource(_ a: Rule, _ b: Rule) -> Bool {
        a.action == b.action && a.destination == b.destination && a.proto == b.proto
            && a.destinationPorts == b.destinationPorts
    }
}
