import Yams

/// Checks every `${…}` in the file once, whatever the sweep: each is well formed, sits in a value
/// under `policy` or `workloads` (the only sections that vary between variants), and names a declared
/// parameter; and every declared parameter is used somewhere.
struct PlaceholderCheck {
    let document: YAMLDocument
    let log: DiagnosticLog
    let declared: [DeclaredParameter]

    /// The top-level keys whose values may hold placeholders.
    static let sweptSections: Set<String> = ["policy", "workloads"]

    func run(root: Node.Mapping) {
        var used: Set<String> = []
        for (key, value) in root {
            visit(key, allowed: false, used: &used)
            visit(value, allowed: document.keyName(key).map(Self.sweptSections.contains) ?? false, used: &used)
        }
        for parameter in declared where !used.contains(parameter.name) {
            log.error("parameter '\(parameter.name)' is declared but never used", at: parameter.position)
        }
    }

    private func visit(_ node: Node, allowed: Bool, used: inout Set<String>) {
        switch node {
        case .scalar(let scalar):
            check(scalar.string, at: node.position, allowed: allowed, used: &used)
        case .sequence(let items):
            for item in items { visit(item, allowed: allowed, used: &used) }
        case .mapping(let mapping):
            for (key, value) in mapping {
                visit(key, allowed: false, used: &used)
                visit(value, allowed: allowed, used: &used)
            }
        case .alias:
            break
        }
    }

    private func check(_ text: String, at position: SourcePosition, allowed: Bool, used: inout Set<String>) {
        guard text.contains("${") else { return }
        guard let template = PlaceholderTemplate(parsing: text) else {
            log.error("malformed placeholder in \(quoted(text)): write ${name}, with name a declared parameter", at: position)
            return
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
    }

    private func hint(for name: String) -> String {
        let names = declared.map(\.name)
        if names.isEmpty { return "declare it under 'parameters'" }
        return Suggestion.hint(for: name, among: names, otherwise: "declared: " + names.joined(separator: ", "))
    }
}
