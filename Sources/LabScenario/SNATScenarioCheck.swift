import LabBackends
import Yams

/// What `snat:` asks of the rest of the file, checked once (not per point of the sweep): the gateway
/// topology, no filter policy beside it, and backends that translate — and `tc-snat` only with it.
struct SNATScenarioCheck {
    let fields: MappingFields
    let reader: ValueReader

    /// The backends that install an SNAT policy: the netfilter NAT (iptables-legacy, iptables-nft,
    /// nftables), those that only translate (`tc-snat`), and `none` (routing without SNAT, the
    /// baseline). Drop-point placements, the ipset variant, the BPF filters and the trackers filter only.
    static func translates(_ backend: BackendKind) -> Bool {
        backend.onlyTranslates || [.none, .iptablesLegacy, .iptablesNft, .nftables].contains(backend)
    }

    static let translatingNames: [String] = BackendKind.allCases.filter(translates).map(\.rawValue)

    /// `isGateway`: the topology is the gateway preset (nil: the topology was invalid, already reported).
    func run(isGateway: Bool?) {
        let snat = fields.keyPosition("snat")
        if let snat, isGateway == false {
            reader.log.error("'snat' needs topology gateway (its egress IPs are the gateways' external addresses)", at: snat)
        }
        // The filter probes and workloads send from the client pool, which the gateway preset's
        // client (a worker node owning only its pod CIDR) does not own: a filter case there could
        // only fail its equivalence. The preset is for egress gateways.
        if snat == nil, isGateway == true {
            reader.log.error("topology gateway needs a top-level 'snat' block: its client is a worker node that owns only its pod CIDR, "
                             + "not the client pool a filter policy is probed from; use topology routed for a filter policy",
                             at: fields.keyPosition("topology") ?? fields.position)
        }
        if let snat { policyProblems(snat) }
        backendProblems(hasSNAT: snat != nil)
    }

    /// An SNAT scenario's policy is its egress rules: filter rules, a stateful filter or a deny default
    /// beside them would be two policies in one case.
    private func policyProblems(_ snat: SourcePosition) {
        guard let policy = fields["policy"], case .mapping(let mapping) = policy else { return }
        for (key, value) in mapping {
            guard let name = reader.document.keyName(key) else { continue }
            let conflict: Bool
            switch name {
            case "rules", "generate": conflict = true
            case "stateful", "default":
                guard case .scalar(let scalar) = value else { continue }
                conflict = name == "stateful" ? scalar.string == "true" : scalar.string == "deny"
            default: conflict = false
            }
            if conflict {
                reader.log.error("'policy.\(name)' cannot be combined with 'snat' (declared at \(snat)): an SNAT scenario's policy is its egress rules",
                                 at: key.position)
            }
        }
    }

    private func backendProblems(hasSNAT: Bool) {
        guard let node = fields["backends"], case .sequence(let items) = node else { return }
        for item in items {
            guard case .scalar(let scalar) = item, let backend = BackendKind(rawValue: scalar.string) else { continue }
            if hasSNAT, !Self.translates(backend) {
                reader.log.error("backend '\(backend.rawValue)' cannot translate addresses, so it cannot run an SNAT scenario "
                                 + "(use \(Self.translatingNames.joined(separator: ", ")))", at: item.position)
            } else if !hasSNAT, backend.onlyTranslates {
                reader.log.error("backend '\(backend.rawValue)' only translates addresses: it needs a top-level 'snat' block", at: item.position)
            }
        }
    }
}
