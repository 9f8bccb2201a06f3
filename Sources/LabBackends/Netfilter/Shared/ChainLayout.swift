import LabNetwork
import LabPolicy

/// A policy as one netfilter chain: rules in first-match order, then the default verdict. It is
/// both what a backend renders at install and what it keeps to decide how an update lands.
struct ChainLayout: Equatable, Sendable {
    var rules: [NetfilterRule]
    var defaultAction: Action

    /// One chain rule per policy rule, in policy order: the linear chain most real rulesets are.
    static func linear(_ policy: Policy) -> ChainLayout {
        ChainLayout(rules: policy.rules.map(NetfilterRule.init), defaultAction: policy.defaultAction)
    }

    /// One chain rule per clause (`ClauseCompiler`); a clause with several source prefixes matches
    /// them through a named set, called `setName(clause)`.
    static func withSets(_ policy: Policy, setName: (Clause) -> String) -> ChainLayout {
        let rules = ClauseCompiler.clauses(policy).map { NetfilterRule($0, setName: setName($0)) }
        return ChainLayout(rules: rules, defaultAction: policy.defaultAction)
    }

    /// The named sets of the chain, in chain order.
    var sets: [(name: String, prefixes: [IPv4Prefix])] {
        rules.compactMap { rule in
            if case .set(let name, let prefixes) = rule.source { return (name, prefixes) }
            return nil
        }
    }

    /// Where `rule`, added in front of the chain, can instead become one more element of an existing
    /// set without changing any verdict; nil when it cannot.
    ///
    /// It can when some set rule k has the same action, destination, protocol and ports, and every
    /// rule before k has that action too. A packet `rule` matches then gets `rule`'s action either from
    /// a rule before k or from k itself (its set now holds the new prefix); a packet `rule` does not
    /// match differs from it in destination, protocol or port, so k's wider set does not catch it
    /// either. Rules before k with another action could overlap `rule` (proving they do not would take
    /// an overlap analysis per field), so the search stops at the first of them.
    func setAccepting(_ rule: NetfilterRule) -> (index: Int, name: String)? {
        guard case .prefix = rule.source else { return nil }
        for (index, candidate) in rules.enumerated() {
            guard candidate.action == rule.action else { return nil }
            if case .set(let name, _) = candidate.source, candidate.matchesSameExceptSource(rule) {
                return (index, name)
            }
        }
        return nil
    }

    /// The layout after `rule` was put in front of it.
    func inserting(_ rule: NetfilterRule) -> ChainLayout {
        ChainLayout(rules: [rule] + rules, defaultAction: defaultAction)
    }

    /// The layout after `prefix` was added to the set of rule `index`.
    func extendingSet(at index: Int, with prefix: IPv4Prefix) -> ChainLayout {
        var copy = self
        if case .set(let name, let prefixes) = rules[index].source {
            copy.rules[index].source = .set(name: name, prefixes: prefixes + [prefix])
        }
        return copy
    }
}
