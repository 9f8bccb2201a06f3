import LabIPAM
import LabNetwork
import LabTopology
import Yams

/// Reads the parameterised form of `topology:`:
///
///     topology: {preset: gateway, nodes: 2, pods_per_node: 32, gateways: 1, cluster_pool: 198.18.64.0/18, node_mask: 24}
///
/// Every key but `preset` is optional (the defaults are `topology: gateway`'s). The preset is built
/// here, so what the IPAM model refuses — a pool outside the lab or on its infrastructure, pools that
/// overlap, more pods than a node CIDR holds or more nodes than the pool holds — is reported at the
/// key that asked for it.
struct GatewayTopologyReader {
    let reader: ValueReader

    static let keys = ScenarioFields.gatewayTopology.keys

    func read(_ node: Node) -> (source: TopologySource, parameters: GatewayParameters)? {
        guard let fields = reader.mapping(node, subject("topology"), keys: Self.keys, context: "'topology'") else { return nil }
        let preset = fields.required("preset").flatMap { reader.text($0, subject("preset")) }
        if let preset, preset.text != "gateway" {
            reader.log.error("'preset' must be gateway (the only preset with parameters), got \(preset.shown)", at: preset.site)
            return nil
        }
        var parameters = GatewayParameters()
        let nodes = fields.value("nodes", default: parameters.nodes) { reader.integer($0, subject("nodes"), in: GatewayParameters.nodeRange) }
        let pods = fields.value("pods_per_node", default: parameters.podsPerNode) {
            reader.integer($0, subject("pods_per_node"), in: GatewayParameters.podsPerNodeRange)
        }
        let gateways = fields.value("gateways", default: parameters.gateways) {
            reader.integer($0, subject("gateways"), in: GatewayParameters.gatewayRange)
        }
        let pool = fields.value("cluster_pool", default: parameters.clusterPool) { clusterPool($0) }
        let mask = fields.value("node_mask", default: Int(parameters.nodeMaskLength)) { reader.integer($0, subject("node_mask"), in: 1...32) }
        guard preset != nil, let nodes, let pods, let gateways, let pool, let mask else { return nil }
        parameters.nodes = nodes
        parameters.podsPerNode = pods
        parameters.gateways = gateways
        parameters.clusterPool = pool
        parameters.nodeMaskLength = UInt8(mask)
        do throws(IPAMError) {
            let preset = try TopologyPreset.gateway(parameters)
            let problems = preset.spec.problems()
            for problem in problems { reader.log.error(problem.message, at: fields.keyPosition("nodes") ?? fields.position) }
            return problems.isEmpty ? (.preset(preset), parameters) : nil
        } catch {
            reader.log.error("topology gateway: \(error)", at: Self.blame(error, fields))
            return nil
        }
    }

    /// A prefix or a list of prefixes.
    private func clusterPool(_ node: Node) -> [IPv4Prefix]? {
        let items: [Node]
        if case .sequence = node {
            guard let list = reader.list(node, subject("cluster_pool"), of: "prefixes"), !list.isEmpty else {
                reader.log.error("'cluster_pool' must list at least one prefix", at: node.position)
                return nil
            }
            items = list
        } else {
            items = [node]
        }
        let prefixes = items.map { reader.prefix($0, subject("cluster_pool"))?.prefix }
        return prefixes.contains { $0 == nil } ? nil : prefixes.compactMap { $0 }
    }

    /// The key whose value the IPAM model refused.
    private static func blame(_ error: IPAMError, _ fields: MappingFields) -> SourcePosition {
        let key: String
        switch error {
        case .nodeExhausted: key = "pods_per_node"
        case .clusterExhausted: key = "nodes"
        case .nodeMaskNotLongerThanCluster, .nodeMaskLeavesNoPods: key = "node_mask"
        default: key = "cluster_pool"
        }
        return fields[key]?.position ?? fields.position
    }
}
