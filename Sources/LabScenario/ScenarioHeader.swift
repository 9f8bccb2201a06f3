import LabBackends
import LabTopology
import Yams

/// The settings every variant shares: identity, topology, backends and repetition.
struct ScenarioHeader {
    var name: String
    var description: String
    var topology: TopologySource
    /// Set when the topology is the gateway preset (`snat:` needs it).
    var gateway: GatewayParameters?
    var backends: [BackendKind]
    var repeats: Int
    var warmup: Int
    var hostConntrack: Bool
    /// `capture: N`: save the first N packets the server side sees of each workload, per round.
    var capturePackets: Int?

    static func read(_ fields: MappingFields, reader: ValueReader) -> ScenarioHeader? {
        let name = fields.required("name").flatMap { scenarioName($0, reader: reader) }
        let description = fields.required("description").flatMap { oneLine($0, reader: reader) }
        let topology = fields.value("topology", default: TopologyChoice(source: .preset(.routed), gateway: nil)) {
            TopologyReader(reader: reader).read($0)
        }
        let backends = fields.required("backends").flatMap { backendList($0, reader: reader) }
        let repeats = fields.value("repeat", default: 3) { reader.integer($0, subject("repeat"), in: 1...100) }
        let warmup = fields.value("warmup", default: 1) { reader.integer($0, subject("warmup"), in: 0...10) }
        let hostConntrack = fields.value("host_conntrack", default: false) { reader.boolean($0, subject("host_conntrack"))?.value }
        let capture = fields.value("capture", default: Int?.none) { node -> Int?? in
            reader.integer(node, subject("capture"), in: Scenario.capturePacketRange).map { Optional($0) }
        }
        guard let name, let description, let topology, let backends, let repeats, let warmup, let hostConntrack, let capture else { return nil }
        return ScenarioHeader(name: name, description: description, topology: topology.source, gateway: topology.gateway, backends: backends,
                              repeats: repeats, warmup: warmup, hostConntrack: hostConntrack, capturePackets: capture)
    }

    /// The name is a file name, a results directory and a CLI argument: lowercase, digits and '-'.
    private static func scenarioName(_ node: Node, reader: ValueReader) -> String? {
        guard let value = reader.text(node, subject("name")) else { return nil }
        let valid = value.text.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") } && value.text.first != "-"
        guard valid else {
            reader.log.error("'name' must be lowercase letters, digits and '-', starting with a letter or digit, got \(value.shown)",
                             at: value.site)
            return nil
        }
        return value.text
    }

    /// The description heads reports and `benchlab list`, one line each.
    private static func oneLine(_ node: Node, reader: ValueReader) -> String? {
        guard let value = reader.text(node, subject("description")) else { return nil }
        let text = value.text.trimmingTrailingWhitespace
        guard !text.contains(where: \.isNewline) else {
            reader.log.error("'description' must be one line (it heads reports and 'benchlab list')", at: value.site)
            return nil
        }
        return text
    }

    private static func backendList(_ node: Node, reader: ValueReader) -> [BackendKind]? {
        guard let items = reader.list(node, subject("backends"), of: "backend names") else { return nil }
        guard !items.isEmpty else {
            reader.log.error("'backends' must list at least one backend", at: node.position)
            return nil
        }
        var backends: [BackendKind] = []
        var valid = true
        for item in items {
            guard let backend: BackendKind = reader.choice(item, "each 'backends' entry", noun: "backend") else {
                valid = false
                continue
            }
            if backends.contains(backend) {
                reader.log.error("backend '\(backend.rawValue)' is listed twice", at: item.position)
                valid = false
            }
            backends.append(backend)
        }
        return valid ? backends : nil
    }
}

extension String {
    /// A folded block scalar (`>`) ends with a newline that is not part of the text.
    var trimmingTrailingWhitespace: String {
        String(self[..<(lastIndex { !$0.isWhitespace }.map(index(after:)) ?? startIndex)])
    }
}
