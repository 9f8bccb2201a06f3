import LabPolicy
import Yams

/// A validated policy whose generated rules are not drawn yet: drawing a million prefixes is only
/// worth it once the whole file is known to be valid.
struct PolicyDraft {
    var defaultAction: Action
    var generator: RuleGenerator?
    var explicitRules: [Rule]
    /// `stateful: true`, and where it was written (to blame a topology that cannot track).
    var statefulSite: Site? = nil
    /// Set from `conntrack:` (or its defaults) once the draft is known to be stateful.
    var tracking: ConnectionTracking? = nil
    /// Set from the top-level `snat:` (read per point of the sweep, like the policy).
    var snat: SNATPolicy? = nil

    var isStateful: Bool { statefulSite != nil }

    static let allowAll = PolicyDraft(defaultAction: .allow, generator: nil, explicitRules: [])
}

/// Reads `policy:` — default action, explicit rules, and the seeded generator.
struct PolicyReader {
    let reader: ValueReader
    /// The explicit rules when they hold no placeholder: read once for the whole sweep, not once per
    /// point (a pasted firewall of 100k rules is read in one pass). nil: read them here.
    var sharedRules: SharedRead<[Rule]>? = nil

    static let keys = ScenarioFields.policy.keys
    static let ruleKeys = ScenarioFields.rule.keys

    func read(_ node: Node) -> PolicyDraft? {
        guard let fields = reader.mapping(node, subject("policy"), keys: Self.keys, context: nil) else { return nil }
        let defaultAction = fields.value("default", default: Action.allow) { reader.choice($0, subject("default"), noun: "action") }
        let rules = fields.value("rules", default: []) { node in sharedRules.map { $0.value } ?? explicitRules(node) }
        var generator: RuleGenerator?
        if let node = fields["generate"] {
            generator = GeneratorReader(reader: reader).read(node)
            if generator == nil { return nil }
        }
        // `.some(nil)`: stateless (absent or false); nil: present but invalid (already reported).
        let stateful: Site?? = fields.value("stateful", default: Site?.none) { node -> Site?? in
            guard let read = reader.boolean(node, subject("stateful")) else { return nil }
            return .some(read.value ? read.site : nil)
        }
        guard let defaultAction, let rules, let stateful else { return nil }
        let site = stateful
        return PolicyDraft(defaultAction: defaultAction, generator: generator, explicitRules: rules, statefulSite: site)
    }

    func explicitRules(_ node: Node) -> [Rule]? {
        guard let items = reader.list(node, subject("rules"), of: "rules") else { return nil }
        let rules = items.map(rule)
        return rules.contains { $0 == nil } ? nil : rules.compactMap { $0 }
    }

    private func rule(_ node: Node) -> Rule? {
        guard let fields = reader.mapping(node, "each 'rules' entry", keys: Self.ruleKeys, context: "policy rule") else {
            return nil
        }
        let action: Action? = fields.required("action").flatMap { reader.choice($0, subject("action"), noun: "action") }
        let match = reader.protocolAndPorts(fields)
        // A missing src or dst matches any address; a present but invalid one fails the rule.
        let source = fields["src"].map { reader.prefix($0, subject("src"))?.prefix }
        let destination = fields["dst"].map { reader.prefix($0, subject("dst"))?.prefix }
        guard let action, let match, isValid(source), isValid(destination) else { return nil }
        return Rule(action: action, source: source ?? nil, destination: destination ?? nil,
                    proto: match.proto, destinationPorts: match.ports)
    }
}

/// For an optional key read as `Value??`: false only when it was present but invalid (`.some(nil)`);
/// an absent key (`.none`) is fine.
func isValid<Value>(_ field: Value??) -> Bool {
    if case .some(.none) = field { return false }
    return true
}
