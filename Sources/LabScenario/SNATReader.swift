import LabNetwork
import LabPolicy
import LabTopology
import Yams

/// The gateways an SNAT policy may name, and the pod CIDRs its default rule selects: taken from the
/// topology's plan (pure, no kernel), so the reader checks egress IPs against the real topology.
struct SNATTopology {
    /// Gateway node and its egress IP (its policy point's egress interface address), gw1 first.
    var gateways: [(node: String, address: IPv4Address)]
    var podCIDRs: [IPv4Prefix]

    init(_ source: TopologySource) {
        let topology = TopologyPlan(source: source, id: "check0").topology
        gateways = topology.policyPoints.compactMap { point in topology.egressAddress(of: point).map { (point.node, $0) } }
        podCIDRs = source.spec.nodes.flatMap(\.ownedPrefixes)
    }

    var described: String { gateways.map { "\($0.node) \($0.address)" }.joined(separator: ", ") }

    /// Egress routes for the topology: each rule's sources via the gateways its egress IPs belong to.
    func egressRoutes(_ policy: SNATPolicy) -> [GatewayParameters.EgressRoute] {
        policy.egress.map { rule in
            GatewayParameters.EgressRoute(sources: rule.sources, gateways: rule.egressIPs.compactMap { ip in gateways.first { $0.address == ip }?.node })
        }
    }
}

/// Reads `snat:` — the egress gateway's source NAT:
///
///     snat:
///       mode: masquerade            # or snat (default masquerade)
///       ports: 20000-20999          # translated source ports (default 1024-65535)
///       random_fully: false         # sweepable: random_fully: ${random}
///       drop_invalid: true          # netfilter: drop what conntrack calls invalid (sweepable)
///       egress:                     # default: every pod CIDR via every gateway, gw1 first
///         - {from: [198.18.64.0/24], via: [198.18.4.1, 198.18.5.1]}
///
/// `via` lists egress IPs, preferred first; each must be a gateway's external address.
struct SNATReader {
    let reader: ValueReader
    let topology: SNATTopology

    static let keys = ScenarioFields.snat.keys
    static let egressKeys = ScenarioFields.egressRule.keys
    static let defaultPorts = PortRange(1024, 65535)!

    func read(_ node: Node) -> SNATPolicy? {
        guard let fields = reader.mapping(node, subject("snat"), keys: Self.keys, context: "'snat'") else { return nil }
        let mode = fields.value("mode", default: SNATMode.masquerade) { reader.choice($0, subject("mode"), noun: "SNAT mode") }
        let ports = fields.value("ports", default: Self.defaultPorts) { reader.ports($0, subject("ports"))?.ports }
        let randomFully = fields.value("random_fully", default: false) { reader.boolean($0, subject("random_fully"))?.value }
        let dropInvalid = fields.value("drop_invalid", default: true) { reader.boolean($0, subject("drop_invalid"))?.value }
        let defaultRule = [EgressRule(sources: topology.podCIDRs, egressIPs: topology.gateways.map(\.address))]
        let egress = fields.value("egress", default: defaultRule) { egressRules($0) }
        guard let mode, let ports, let randomFully, let dropInvalid, let egress else { return nil }
        return SNATPolicy(mode: mode, ports: ports, randomFully: randomFully, egress: egress, dropInvalid: dropInvalid)
    }

    private func egressRules(_ node: Node) -> [EgressRule]? {
        guard let items = reader.list(node, subject("egress"), of: "egress rules such as {from: [198.18.64.0/24], via: [198.18.4.1]}") else {
            return nil
        }
        guard !items.isEmpty else {
            reader.log.error("'egress' must list at least one rule (leave it out for the default: every pod via every gateway)", at: node.position)
            return nil
        }
        let rules = items.map { item -> EgressRule? in
            guard let fields = reader.mapping(item, "each 'egress' entry", keys: Self.egressKeys, context: "egress rule") else { return nil }
            let sources = fields.required("from").flatMap { one(or: $0, "from") { reader.prefix($0, subject("from"))?.prefix } }
            let via = fields.required("via").flatMap { one(or: $0, "via") { egressIP($0) } }
            guard let sources, let via else { return nil }
            return EgressRule(sources: sources, egressIPs: via)
        }
        return rules.contains { $0 == nil } ? nil : rules.compactMap { $0 }
    }

    /// A gateway's egress IP, by address.
    private func egressIP(_ node: Node) -> IPv4Address? {
        guard let value = reader.scalar(node, subject("via"), expected: "an egress IP") else { return nil }
        guard let address = IPv4Address(value.text) else {
            reader.log.error("'via' must be an IPv4 address such as 198.18.4.1, got \(value.shown)", at: value.site)
            return nil
        }
        guard topology.gateways.contains(where: { $0.address == address }) else {
            reader.log.error("egress IP \(address) is not a gateway's external address (this topology's gateways: \(topology.described))",
                             at: value.site)
            return nil
        }
        return address
    }

    /// One value, or a non-empty list of them.
    private func one<Value>(or node: Node, _ key: String, _ read: (Node) -> Value?) -> [Value]? {
        let items: [Node]
        if case .sequence = node {
            guard let list = reader.list(node, subject(key), of: "values"), !list.isEmpty else {
                reader.log.error("\(subject(key)) must not be an empty list", at: node.position)
                return nil
            }
            items = list
        } else {
            items = [node]
        }
        let values = items.map(read)
        return values.contains { $0 == nil } ? nil : values.compactMap { $0 }
    }
}
