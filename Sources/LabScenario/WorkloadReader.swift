import LabTraffic
import Yams

/// The `type:` of a workload entry: any registered workload kind.
struct WorkloadKind: RawRepresentable, CaseIterable {
    let definition: any WorkloadDefinition.Type
    var rawValue: String { definition.kind }

    init?(rawValue: String) {
        guard let definition = WorkloadRegistry.definition(kind: rawValue) else { return nil }
        self.definition = definition
    }

    init(_ definition: any WorkloadDefinition.Type) { self.definition = definition }

    static var allCases: [WorkloadKind] { WorkloadRegistry.all.map(WorkloadKind.init) }

    /// The keys each kind takes; a key of another kind is reported as not applying to this one.
    var keys: [String] { ["type", "name"] + definition.fields.map(\.key) }

    /// Keys any kind derives its default name from.
    static var namingKeys: [String] {
        allCases.flatMap { $0.definition.fields.filter(\.namesTheWorkload).map(\.key) }.reduce(into: []) { keys, key in
            if !keys.contains(key) { keys.append(key) }
        }
    }

    /// Every kind's keys, each once, in registry order.
    static var allKeys: [String] {
        allCases.flatMap(\.keys).reduce(into: []) { keys, key in
            if !keys.contains(key) { keys.append(key) }
        }
    }
}

/// Reads `workloads:`, a non-empty list of uniquely named workloads.
struct WorkloadReader {
    let reader: ValueReader

    func read(_ node: Node) -> [Workload]? {
        guard let items = reader.list(node, subject("workloads"), of: "workloads") else { return nil }
        guard !items.isEmpty else {
            reader.log.error("'workloads' must list at least one workload", at: node.position)
            return nil
        }
        let named = items.compactMap(workload)
        let unique = uniquelyNamed(named)
        return named.count == items.count ? unique : nil
    }

    /// Results are keyed by workload name, so two workloads may not share one.
    private func uniquelyNamed(_ workloads: [(workload: Workload, site: Site)]) -> [Workload]? {
        var firstSite: [String: Site] = [:]
        var unique = true
        for (workload, site) in workloads {
            if let first = firstSite[workload.name] {
                reader.log.error("duplicate workload name '\(workload.name)' (the workload at \(first.position) has it too); "
                                 + "set 'name' to tell them apart", at: site)
                unique = false
            } else {
                firstSite[workload.name] = site
            }
        }
        return unique ? workloads.map(\.workload) : nil
    }

    /// One workload, with the site its name is blamed on: its `name:`, or the entry when the name is derived.
    private func workload(_ node: Node) -> (workload: Workload, site: Site)? {
        guard let fields = reader.mapping(node, "each 'workloads' entry", keys: WorkloadKind.allKeys, context: "workload"),
              let typeNode = fields.required("type"), fixed(typeNode, "type", "every variant runs the same workloads"),
              let kind: WorkloadKind = reader.choice(typeNode, subject("type"), noun: "workload type") else { return nil }
        let applies = rejectForeignKeys(fields, kind)
        let name = fields["name"].map(explicitName)
        // Derived names include these fields (the protocol), so sweeping one needs an explicit name.
        // Checked for every kind's naming keys, as the reader always has: a foreign key gets both errors.
        let stableName = name != nil || WorkloadKind.namingKeys.allSatisfy { key in
            fields[key].map {
                fixed($0, key, "the default name would change between variants; give the workload a 'name'")
            } ?? true
        }
        let settings = WorkloadSettingsReader(reader: reader, fields: fields)
        guard applies, isValid(name), stableName, let workload = settings.read(kind) else { return nil }
        guard case .some(.some(let explicit)) = name else { return (workload, Site(fields.position)) }
        return (workload.renamed(explicit.text), explicit.site)
    }

    private func rejectForeignKeys(_ fields: MappingFields, _ kind: WorkloadKind) -> Bool {
        let foreign = fields.names.filter { !kind.keys.contains($0) }
        for key in foreign {
            reader.log.error("'\(key)' does not apply to \(kind.rawValue) workloads", at: fields.keyPosition(key) ?? fields.position)
        }
        return foreign.isEmpty
    }

    /// Names become result keys, report rows and file names: keep them to a safe alphabet.
    private func explicitName(_ node: Node) -> ScalarValue? {
        guard fixed(node, "name", "results are matched by workload name across variants"),
              let value = reader.text(node, subject("name")) else { return nil }
        let allowed = value.text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
        guard allowed, value.text.first.map({ $0.isLetter || $0.isNumber }) == true else {
            reader.log.error("'name' must be letters, digits, '-', '_' and '.', starting with a letter or digit, got \(value.shown)",
                             at: value.site)
            return nil
        }
        return value
    }

    /// False (reported) when a key that must be the same in every variant uses a parameter.
    private func fixed(_ node: Node, _ key: String, _ reason: String) -> Bool {
        guard case .scalar(let scalar) = node, scalar.string.holdsPlaceholderOpening else { return true }
        reader.log.error("'\(key)' cannot use a parameter here: \(reason)", at: node.position)
        return false
    }
}
