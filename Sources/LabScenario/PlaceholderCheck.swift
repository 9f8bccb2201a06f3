import Yams

/// Checks every `${…}` in the file once, whatever the sweep: each is well formed, sits in a value
/// under `policy` or `workloads` (the only sections that vary between variants), and names a declared
/// parameter; and every declared parameter is used somewhere.
struct PlaceholderCheck {
    let document: YAMLDocument
    let log: DiagnosticLog
    let declared: [DeclaredParameter]

    /// The top-level keys whose values may hold placeholders (`conntrack` belongs to the policy: it
    /// is only read with `policy.stateful`, so it varies with it; `snat` is the policy of an SNAT
    /// scenario, so `random_fully: ${random}` sweeps it).
    static let sweptSections: Set<String> = ["policy", "workloads", "conntrack", "snat"]

    /// Which swept sections hold a placeholder: the others read the same at every point of the sweep
    /// and are read once (found in this walk, so the file is not walked again to know it).
    struct Holders {
        var workloads = false
        var policyRules = false
    }

    @discardableResult
    func run(root: Node.Mapping) -> Holders {
        var used: Set<String> = []
        var holders = Holders()
        for (key, value) in root {
            visit(key, allowed: false, used: &used)
            let name = document.keyName(key)
            let allowed = name.map(Self.sweptSections.contains) ?? false
            if name == "policy", case .mapping(let policy) = value {
                for (policyKey, policyValue) in policy {
                    visit(policyKey, allowed: false, used: &used)
                    let holds = visit(policyValue, allowed: allowed, used: &used)
                    if holds, document.keyName(policyKey) == "rules" { holders.policyRules = true }
                }
            } else if visit(value, allowed: allowed, used: &used), name == "workloads" {
                holders.workloads = true
            }
        }
        for parameter in declared where !used.contains(parameter.name) {
            log.error("parameter '\(parameter.name)' is declared but never used", at: parameter.position)
        }
        return holders
    }

    /// True when a scalar under `node` holds `${`.
    @discardableResult
    private func visit(_ node: Node, allowed: Bool, used: inout Set<String>) -> Bool {
        switch node {
        case .scalar(let scalar):
            return check(scalar.string, at: node.position, allowed: allowed, used: &used)
        case .sequence(let items):
            var holds = false
            for item in items where visit(item, allowed: allowed, used: &used) { holds = true }
            return holds
        case .mapping(let mapping):
            var holds = false
            for (key, value) in mapping {
                if visit(key, allowed: false, used: &used) { holds = true }
                if visit(value, allowed: allowed, used: &used) { holds = true }
            }
            return holds
        case .alias:
            return false
        }
    }

    private func check(_ text: String, at position: SourcePosition, allowed: Bool, used: inout Set<String>) -> Bool {
        guard text.holdsPlaceholderOpening else { return false }
        guard let template = PlaceholderTemplate(parsing: text) else {
            log.error("malformed placeholder in \(quoted(text)): write ${name}, with name a declared parameter", at: position)
            return true
        }
        let names = template.parameterNames
        if !allowed {
            log.error("'${\(names[0])}' is not allowed here: parameters can only be used in values under 'policy' and 'workloads'",
                      at: position)
        }
        for name in names {
            if declared.contains(where: { $0.name == name }) {
                used.insert(name)
            } else if allowed {
                log.error("unknown parameter '\(excerpt(name))' (\(hint(for: name)))", at: position)
            }
        }
        return true
    }

    private func hint(for name: String) -> String {
        let names = declared.map(\.name)
        if names.isEmpty { return "declare it under 'parameters'" }
        return Suggestion.hint(for: name, among: names, otherwise: "declared: " + names.joined(separator: ", "))
    }
}
