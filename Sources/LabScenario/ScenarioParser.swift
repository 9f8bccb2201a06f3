import Foundation
import LabPolicy
import LabSystem
import LabTopology
import Yams

/// Reads and validates scenario files. Every problem in a file is reported at once, each with its
/// position, as a `ScenarioError`; a returned `Scenario` is valid throughout.
public enum ScenarioParser {
    /// - Parameters:
    ///   - path: names the file in diagnostics (`path:line:column: message`) and in the result.
    ///   - overrides: parameter values from the command line (`--set rules=100` is `["rules": ["100"]]`);
    ///     each replaces the declared values of that parameter and is validated like them.
    public static func parse(text: String, path: String, overrides: [String: [String]] = [:]) throws -> Scenario {
        try ScenarioReading(text: text, path: path).scenario(overrides: overrides, drawRules: true)
    }

    public static func parse(fileAt path: String, overrides: [String: [String]] = [:]) throws -> Scenario {
        try parse(text: readScenarioFile(path), path: path, overrides: overrides)
    }

    /// Validates the whole file but skips drawing generated rules (the costly part of a big sweep):
    /// for listings, which only need the name and description.
    static func summary(fileAt path: String) throws -> (name: String, description: String) {
        let scenario = try ScenarioReading(text: readScenarioFile(path), path: path).scenario(overrides: [:], drawRules: false)
        return (scenario.name, scenario.description)
    }

    static func readScenarioFile(_ path: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw LabFailure("scenario file '\(path)' does not exist", exitStatus: .badInput)
        }
        guard !isDirectory.boolValue, let data = FileManager.default.contents(atPath: path) else {
            throw LabFailure("cannot read scenario file '\(path)': \(isDirectory.boolValue ? "it is a directory" : "permission denied")",
                             exitStatus: .badInput)
        }
        guard let text = String(data: data, encoding: .utf8) else { throw NotUTF8.error(in: data, path: path) }
        return text
    }
}

/// One reading of one file: composes the YAML, reads the shared settings, checks placeholders, then
/// reads `policy` and `workloads` once per point of the sweep.
struct ScenarioReading {
    let text: String
    let path: String
    let log: DiagnosticLog

    static let keys = ScenarioFields.header.keys

    init(text: String, path: String) {
        self.text = text
        self.path = path
        self.log = DiagnosticLog(path: path)
    }

    func scenario(overrides: [String: [String]], drawRules: Bool) throws -> Scenario {
        guard let document = YAMLDocument.compose(text, log: log), let (root, position) = topLevelMapping(document) else {
            throw log.scenarioError
        }
        let reader = ValueReader(log: log, document: document, substitution: .none(log))
        let fields = MappingFields(root, at: position, keys: Self.keys, context: nil, reader: reader)
        let header = ScenarioHeader.read(fields, reader: reader)
        var parameters = ParameterSection(fields["parameters"], reader: reader)
        parameters.apply(overrides, anchor: fields.keyPosition("parameters") ?? .start, log: log)
        let holders = PlaceholderCheck(document: document, log: log, declared: parameters.parameters).run(root: root)
        SNATScenarioCheck(fields: fields, reader: reader).run(isGateway: header.map { $0.gateway != nil })
        let snatTopology = header.flatMap { $0.gateway != nil ? SNATTopology($0.topology) : nil }
        let drafts = variantDrafts(fields, parameters, reader, holders, topology: header?.topology, snatTopology: snatTopology)
        guard var header, let drafts, log.isEmpty else { throw log.scenarioError }
        if let snat = drafts.firstSNAT, var gateway = header.gateway, let snatTopology {
            // The egress rules route: sources whose rule prefers another gateway get their own table.
            gateway.egressRoutes = snatTopology.egressRoutes(snat)
            do { header.topology = .preset(try TopologyPreset.gateway(gateway)) } catch {
                log.error("topology gateway: \(error)", at: fields.keyPosition("topology") ?? .start)  // checked when read
                throw log.scenarioError
            }
        }
        let variants = try drafts.variants(drawRules: drawRules, policyPosition: fields.keyPosition("policy"), log: log)
        return Scenario(name: header.name, description: header.description, sourcePath: path, sourceText: text,
                        topology: header.topology, backends: header.backends, repeats: header.repeats,
                        warmup: header.warmup, parameters: parameters.parameters.map(\.model), variants: variants,
                        hostConntrack: header.hostConntrack, capturePackets: header.capturePackets)
    }

    private func topLevelMapping(_ document: YAMLDocument) -> (Node.Mapping, SourcePosition)? {
        guard let root = document.root else {
            log.error("the scenario file is empty: it needs at least 'name', 'description', 'backends' and 'workloads'", at: .start)
            return nil
        }
        guard case .mapping(let mapping) = root else {
            log.error("a scenario file must be a mapping of keys such as 'name' and 'workloads', got \(describeShape(root))",
                      at: root.position)
            return nil
        }
        return (mapping, root.position)
    }

    /// `policy` and `workloads` for every point of the sweep (one point when nothing is swept).
    private func variantDrafts(_ fields: MappingFields, _ parameters: ParameterSection, _ reader: ValueReader,
                               _ holders: PlaceholderCheck.Holders, topology: TopologySource?,
                               snatTopology: SNATTopology?) -> VariantDrafts? {
        if parameters.variantCount > ParameterSection.maximumVariants {
            log.error("the sweep has \(parameters.variantCount) variants, more than the \(ParameterSection.maximumVariants) "
                      + "a run can take; remove values or split the scenario", at: fields.keyPosition("parameters") ?? .start)
        }
        let points = parameters.points
        let workloadsNode = fields.required("workloads")
        // Sections without a placeholder read the same at every point: read them once (unchanged
        // subtrees are shared, so validation stays linear in the file whatever the sweep).
        let rulesNode = fields["policy"].flatMap { Self.explicitRulesNode($0, in: reader.document) }
        let sharedRules = rulesNode.flatMap { node in
            holders.policyRules ? nil : SharedRead(PolicyReader(reader: reader).explicitRules(node))
        }
        let sharedWorkloads = workloadsNode.flatMap { node in
            holders.workloads ? nil : SharedRead(WorkloadReader(reader: reader).read(node))
        }
        var drafts = VariantDrafts()
        for point in points {
            let bindings = Dictionary(uniqueKeysWithValues: point.map { ($0.name, $0.value) })
            let swept = reader.substituting(Substitution(bindings: bindings, log: log))
            let policy = fields.value("policy", default: PolicyDraft.allowAll) {
                PolicyReader(reader: swept, sharedRules: sharedRules).read($0)
            }
            let workloads = sharedWorkloads.map { $0.value } ?? workloadsNode.flatMap { WorkloadReader(reader: swept).read($0) }
            let tracked = policy.flatMap { StatefulPolicyCheck(fields: fields, reader: swept, topology: topology).tracking(of: $0) }
            // `.some(nil)`: no `snat:`; nil: invalid, or a topology it cannot go with (reported).
            let snat: SNATPolicy?? = fields.value("snat", default: SNATPolicy?.none) { node -> SNATPolicy?? in
                guard let read = snatTopology.flatMap({ SNATReader(reader: swept, topology: $0).read(node) }) else { return nil }
                return .some(read)
            }
            guard var policy, let workloads, let tracked, let snat else { continue }
            policy.tracking = tracked
            policy.snat = snat
            drafts.append(point: point.map { ParameterBinding(name: $0.name, value: $0.value.text) }, workloads: workloads, policy: policy)
        }
        return drafts.count == points.count ? drafts : nil
    }
}

extension ScenarioReading {
    /// `policy.rules`, when `policy` is a mapping that has it (anything else is reported by PolicyReader).
    static func explicitRulesNode(_ policy: Node, in document: YAMLDocument) -> Node? {
        guard case .mapping(let mapping) = policy else { return nil }
        return mapping.first { key, _ in document.keyName(key) == "rules" }?.value
    }
}

extension DeclaredParameter {
    var model: Parameter { Parameter(name: name, values: values.map(\.text)) }
}
