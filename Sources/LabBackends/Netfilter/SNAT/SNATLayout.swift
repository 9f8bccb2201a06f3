import LabNetwork
import LabPolicy
import LabTopology

/// One gateway's share of an SNAT policy as every netfilter front end writes it: the egress rules in
/// order, each with its sources and whether this gateway translates them (to its own egress IP) or
/// drops them (the rule sends them to other gateways). Two chains come out of it: a filter chain on
/// forward (`-o <egress>`) that accepts or drops per rule and drops the rest — it decides *what*
/// leaves, first rule wins — and a nat chain on postrouting that translates the accepted sources.
/// The nat chain needs no drop rules: a source the filter chain dropped never reaches postrouting.
struct SNATLayout: Equatable, Sendable {
    struct Entry: Equatable, Sendable {
        var sources: [IPv4Prefix]
        var translate: Bool
    }

    var mode: SNATMode
    var ports: PortRange
    var randomFully: Bool
    /// A first rule in the filter chain dropping what conntrack calls invalid (`SNATPolicy.dropInvalid`).
    var dropInvalid: Bool
    var gateway: IPv4Address
    var entries: [Entry]

    /// `snat` must be one gateway's share (`SNATPolicy.at(gateway:)`); `NetfilterSNATSupport.layout` checks it.
    init(_ snat: SNATPolicy) {
        mode = snat.mode
        ports = snat.ports
        randomFully = snat.randomFully
        dropInvalid = snat.dropInvalid
        gateway = snat.gateway!
        entries = snat.gatewayVerdicts.map { Entry(sources: $0.rule.sources, translate: $0.verdict != .drop) }
    }

    func entry(_ rule: EgressRule) -> Entry {
        Entry(sources: rule.sources, translate: rule.egressIPs.contains(gateway))
    }

    /// What the gateway does, for the artifact comments.
    var summary: String {
        let action = mode == .masquerade ? "masquerade" : "snat to \(gateway)"
        return "\(action), ports \(ports)\(randomFully ? ", fully random" : "")\(dropInvalid ? ", invalid dropped" : ""); "
            + "\(entries.count) egress rules (\(entries.filter(\.translate).count) translated here, \(entries.filter { !$0.translate }.count) dropped here), others dropped"
    }
}

/// Which policies the netfilter backends translate, and where.
enum NetfilterSNATSupport {
    /// The layout of `policy`'s SNAT, or nil for a filter policy. An SNAT policy is an egress
    /// gateway's: one gateway's share, with no filter rules of its own (the egress rules decide what
    /// leaves) and default allow. Its `tracking`, when set, only gives the flows' lifetimes
    /// (nf_conntrack's timeouts in the gateway's namespace, as for the BPF NAT's entries).
    static func layout(_ policy: Policy, for backend: BackendKind) throws -> SNATLayout? {
        guard let snat = policy.snat else { return nil }
        try NetfilterSupport.check(policy, for: backend)
        guard snat.gateway != nil else {
            throw BackendUnsupported(backend, "the SNAT policy covers every gateway; compile one gateway's share (SNATPolicy.at(gateway:))")
        }
        guard policy.rules.isEmpty, policy.defaultAction == .allow else {
            throw BackendUnsupported(backend, "an SNAT policy has no filter rules and default allow "
                                     + "(\(policy.rules.count) rules, default \(policy.defaultAction.rawValue)): "
                                     + "its egress rules decide what leaves the gateway")
        }
        return SNATLayout(snat)
    }

    /// A gateway forwards: the chains match the egress interface.
    static func check(at point: FilterPoint, for backend: BackendKind) throws -> String {
        guard point.hook == .forward, let egress = point.egressInterface else {
            throw BackendUnsupported(backend, "SNAT needs a forwarding policy point with an egress interface; \(point.namespace) filters at INPUT")
        }
        return egress
    }

    /// For the backends that cannot place NAT: says why, in one line.
    static func refuse(_ policy: Policy, for backend: BackendKind, because reason: String) throws {
        if policy.snat != nil { throw BackendUnsupported(backend, "an SNAT policy: \(reason)") }
    }
}
