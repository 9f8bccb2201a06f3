import LabTopology
import Yams

/// Reads `topology:` — a preset's name, or a mapping that declares a custom topology:
///
///     topology:
///       nodes:                      # 2 to 16 namespaces; exactly one client and one server
///         - {name: client, role: client}
///         - {name: r1, role: router}  # any role: router, gateway, pod, …
///         - {name: server, role: server}
///       links:                      # veth pairs; each end gets the next free /30 of 198.18.0.0/20
///         - {a: client, b: r1}
///         - {a: r1, b: server, a_address: 198.18.0.9/30, b_address: 198.18.0.10/30}
///       attach:                     # optional: named attachment points
///         policy: {node: r1, from: client}   # ingress on r1's interface facing client
///
/// or a preset with parameters, `{preset: gateway, nodes: 2, …}` (see `GatewayTopologyReader`).
///
/// Node names are lowercase letters and digits (they end up in namespace and interface names, so a
/// name plus its interface index is at most 7 characters). `type` of a link defaults to, and today
/// can only be, `veth`. An attachment is `{node, from}` (ingress on the interface facing `from`) or
/// `{node, to}` (egress facing `to`); the policy goes to the one named `policy`, which must be
/// ingress on the client → server path; without it, the policy sits on the first hop after the
/// client. Routes, MACs and sysctls follow from the graph (see `TopologyPlan`).
/// A scenario's topology as read, with the gateway preset's parameters kept: the SNAT policy's egress
/// rules rebuild it with their egress routes.
struct TopologyChoice {
    var source: TopologySource
    var gateway: GatewayParameters?
}

struct TopologyReader {
    let reader: ValueReader

    static let keys = ScenarioFields.topology.keys
    static let nodeKeys = ScenarioFields.topologyNode.keys
    static let linkKeys = ScenarioFields.topologyLink.keys
    static let attachmentKeys = ScenarioFields.attachment.keys

    /// Where each part of the spec was declared, to place the model's problems.
    private struct Positions {
        var topology: SourcePosition
        var nodes: [SourcePosition] = []
        var links: [SourcePosition] = []
        var linkEnds: [[SourcePosition]] = []
        var linkAddresses: [[SourcePosition]] = []
        var attachments: [SourcePosition] = []

        func position(of subject: TopologyProblem.Subject) -> SourcePosition {
            switch subject {
            case .topology: return topology
            case .node(let index): return nodes[index]
            case .link(let index): return links[index]
            case .linkEnd(let index, let end): return linkEnds[index][end == .a ? 0 : 1]
            case .linkAddress(let index, let end): return linkAddresses[index][end == .a ? 0 : 1]
            case .attachment(let index): return attachments[index]
            }
        }
    }

    /// The topology, and the gateway preset's parameters when it is that preset (by name: the defaults).
    func read(_ node: Node) -> TopologyChoice? {
        switch node {
        case .scalar:
            return preset(node).map { TopologyChoice(source: $0, gateway: $0.name == "gateway" ? GatewayParameters() : nil) }
        case .mapping(let mapping):
            if mapping.contains(where: { key, _ in reader.document.keyName(key) == "preset" }) {
                return GatewayTopologyReader(reader: reader).read(node).map { TopologyChoice(source: $0.source, gateway: $0.parameters) }
            }
            return custom(node).map { TopologyChoice(source: $0, gateway: nil) }
        default:
            reader.log.error("'topology' must be \(choiceList(TopologyPresets.names)) or a mapping that declares a custom topology, got \(describeShape(node))",
                             at: node.position)
            return nil
        }
    }

    private func preset(_ node: Node) -> TopologySource? {
        let names = TopologyPresets.names
        guard let value = reader.scalar(node, subject("topology"), expected: choiceList(names)) else { return nil }
        if let preset = TopologyPresets.named(value.text) { return .preset(preset) }
        if value.isNull {
            reader.log.error("'topology' must be \(choiceList(names)), got an empty value", at: value.site)
            return nil
        }
        let hint = Suggestion.hint(for: value.text, among: names, otherwise: "expected \(choiceList(names))")
        reader.log.error("unknown topology '\(excerpt(value.text))' (\(hint))", at: value.site)
        return nil
    }

    private func custom(_ node: Node) -> TopologySource? {
        guard let fields = reader.mapping(node, subject("topology"), keys: Self.keys, context: "'topology'") else { return nil }
        var positions = Positions(topology: node.position)
        let nodes = fields.required("nodes").flatMap { readNodes($0, &positions) }
        let links = fields.required("links").flatMap { readLinks($0, &positions) }
        let attachments = fields.value("attach", default: []) { readAttachments($0, &positions) }
        guard let nodes, let links, let attachments else { return nil }
        let spec = TopologySpec(nodes: nodes, links: links, attachments: attachments)
        let problems = spec.problems()
        for problem in problems { reader.log.error(problem.message, at: positions.position(of: problem.subject)) }
        return problems.isEmpty ? .custom(spec) : nil
    }

    private func readNodes(_ node: Node, _ positions: inout Positions) -> [TopologySpec.Node]? {
        guard let items = reader.list(node, subject("nodes"), of: "nodes such as {name: r1, role: router}") else { return nil }
        if items.count < 2 {
            reader.log.error("'nodes' must list at least a client and a server", at: node.position)
            return nil
        }
        var nodes: [TopologySpec.Node] = []
        var valid = true
        for item in items {
            guard let fields = reader.mapping(item, "each 'nodes' entry", keys: Self.nodeKeys, context: "node") else {
                valid = false
                continue
            }
            let name = fields.required("name").flatMap { reader.text($0, subject("name")) }
            let role = fields.required("role").flatMap { reader.text($0, subject("role")) }
            guard let name, let role else {
                valid = false
                continue
            }
            nodes.append(TopologySpec.Node(name: name.text, role: NodeRole(role.text)))
            positions.nodes.append(name.site.position)
        }
        return valid ? nodes : nil
    }

    private func readLinks(_ node: Node, _ positions: inout Positions) -> [TopologySpec.Link]? {
        guard let items = reader.list(node, subject("links"), of: "links such as {a: client, b: r1}") else { return nil }
        var links: [TopologySpec.Link] = []
        var valid = true
        for item in items {
            guard let fields = reader.mapping(item, "each 'links' entry", keys: Self.linkKeys, context: "link") else {
                valid = false
                continue
            }
            let a = fields.required("a").flatMap { reader.text($0, subject("a")) }
            let b = fields.required("b").flatMap { reader.text($0, subject("b")) }
            let kind = fields.value("type", default: TopologySpec.LinkKind.veth) { reader.choice($0, subject("type"), noun: "link type") }
            let aAddress = fields.value("a_address", default: Optional<InterfaceAddress>.none) { address($0, "a_address") }
            let bAddress = fields.value("b_address", default: Optional<InterfaceAddress>.none) { address($0, "b_address") }
            guard let a, let b, let kind, let aAddress, let bAddress else {
                valid = false
                continue
            }
            links.append(TopologySpec.Link(kind: kind, a.text, b.text, aAddress: aAddress, bAddress: bAddress))
            positions.links.append(item.position)
            positions.linkEnds.append([a.site.position, b.site.position])
            positions.linkAddresses.append([fields["a_address"]?.position ?? item.position, fields["b_address"]?.position ?? item.position])
        }
        return valid ? links : nil
    }

    /// An interface address with its prefix length; `.some(nil)` never: nil means invalid (reported).
    private func address(_ node: Node, _ key: String) -> InterfaceAddress?? {
        guard let value = reader.text(node, subject(key)) else { return nil }
        guard let address = InterfaceAddress(value.text) else {
            reader.log.error("\(subject(key)) must be an address with a prefix length such as 198.18.0.9/30, got \(value.shown)", at: value.site)
            return nil
        }
        return .some(address)
    }

    private func readAttachments(_ node: Node, _ positions: inout Positions) -> [TopologySpec.Attachment]? {
        guard case .mapping(let mapping) = node else {
            reader.log.error("'attach' must be a mapping of attachment point names to {node, from} or {node, to}, got \(describeShape(node))",
                             at: node.position)
            return nil
        }
        var attachments: [TopologySpec.Attachment] = []
        var valid = true
        for entry in MappingEntries(mapping, reader: reader).entries {
            let context = "attachment point '\(entry.name)'"
            guard let fields = reader.mapping(entry.value, subject(entry.name), keys: Self.attachmentKeys, context: context) else {
                valid = false
                continue
            }
            let node = fields.required("node").flatMap { reader.text($0, subject("node")) }
            let from = fields["from"].flatMap { reader.text($0, subject("from")) }
            let to = fields["to"].flatMap { reader.text($0, subject("to")) }
            guard let node, (from == nil) != (to == nil), let facing = from ?? to else {
                if node != nil, (fields["from"] == nil) == (fields["to"] == nil) {
                    reader.log.error("\(context) needs exactly one of 'from' (ingress) or 'to' (egress)", at: fields.position)
                }
                valid = false
                continue
            }
            attachments.append(TopologySpec.Attachment(name: entry.name, node: node.text, facing: facing.text,
                                                       direction: from != nil ? .ingress : .egress))
            positions.attachments.append(entry.value.position)
        }
        return valid ? attachments : nil
    }
}
