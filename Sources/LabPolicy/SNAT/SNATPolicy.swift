import LabNetwork

/// How a gateway picks the translated source address.
public enum SNATMode: String, Codable, Sendable, CaseIterable, Hashable {
    /// The address of the interface the packet leaves by (iptables MASQUERADE, nft `masquerade`): the
    /// gateway's egress IP, looked up per packet, so a changed address needs no rule change.
    case masquerade
    /// A configured address (iptables `SNAT --to-source`, nft `snat to`): the gateway's egress IP,
    /// written into the rule.
    case snat
}

/// Which pods leave through which egress IPs: the egress gateway's policy ("policies route traffic").
public struct EgressRule: Hashable, Codable, Sendable, CustomStringConvertible {
    /// The pod sources this rule selects.
    public var sources: [IPv4Prefix]
    /// The egress IPs they leave by, in order of preference. Each egress IP belongs to one gateway; the
    /// first is the active one, the others take over when it fails. A gateway translates a selected
    /// source to its own egress IP when that IP is in this list, wherever it is in the order.
    public var egressIPs: [IPv4Address]

    public init(sources: [IPv4Prefix], egressIPs: [IPv4Address]) {
        precondition(!sources.isEmpty && !egressIPs.isEmpty, "an egress rule selects sources and names an egress IP")
        self.sources = sources
        self.egressIPs = egressIPs
    }

    public func selects(_ source: IPv4Address) -> Bool { sources.contains { $0.contains(source) } }

    public var description: String {
        "from \(sources.map(\.description).joined(separator: ",")) via \(egressIPs.map(\.description).joined(separator: ","))"
    }

    enum CodingKeys: String, CodingKey { case sources, egressIPs = "egress_ips" }
}

/// Source NAT at an egress gateway: pods selected by an egress rule leave with the gateway's egress IP
/// as their source and a source port from `ports`; replies are translated back. Traffic from a source
/// no rule selects does not leave (the gateway drops it), so nothing crosses the gateway untranslated.
///
/// The same policy is installed by every backend: iptables MASQUERADE / SNAT --to-source, nftables
/// masquerade / snat to, and the lab's BPF NAT on tc (bpf/snat.bpf.c).
public struct SNATPolicy: Hashable, Codable, Sendable {
    public var mode: SNATMode
    /// The translated source ports (netfilter's `--to-ports` / `:lower-upper`; the BPF NAT's range).
    public var ports: PortRange
    /// Pick every translated port at random (`--random-fully`, nft `fully-random`), instead of keeping
    /// the original port when it is free. The BPF NAT always keeps a free original port and otherwise
    /// probes at random, so for it this only changes whether it tries the original port first.
    public var randomFully: Bool
    /// Evaluated in order; the first rule selecting a source decides.
    public var egress: [EgressRule]
    /// Drop, at the gateway, packets of sources it would translate that its connection tracker calls
    /// invalid — above all the mid-stream packets of a connection that arrives after a failover. A
    /// tracker passes invalid packets through NAT untouched, so without this rule they leave with the
    /// pod's own address (kube-proxy adds `--ctstate INVALID -j DROP` for the same leak). The BPF NAT
    /// always drops TCP that neither opens nor continues a mapping, so this changes netfilter only.
    public var dropInvalid: Bool
    /// The egress IP of the gateway this copy of the policy is installed at (`at(gateway:)`): backends
    /// compile one gateway's share of the rules, with its address written in for `snat`. nil in the
    /// scenario's policy, which covers every gateway.
    public var gateway: IPv4Address?

    public init(mode: SNATMode = .masquerade, ports: PortRange, randomFully: Bool = false, egress: [EgressRule],
                dropInvalid: Bool = true, gateway: IPv4Address? = nil) {
        self.mode = mode
        self.ports = ports
        self.randomFully = randomFully
        self.egress = egress
        self.dropInvalid = dropInvalid
        self.gateway = gateway
    }

    /// This policy as installed at the gateway whose egress IP is `address`.
    public func at(gateway address: IPv4Address) -> SNATPolicy {
        var copy = self
        copy.gateway = address
        return copy
    }

    /// What this gateway does per egress rule, in order: translate the rule's sources to its address,
    /// or drop them (the rule sends them to other gateways). Sources no rule selects are dropped too.
    /// Precondition: `gateway` is set.
    public var gatewayVerdicts: [(rule: EgressRule, verdict: EgressVerdict)] {
        guard let gateway else { preconditionFailure("SNATPolicy.gatewayVerdicts needs the gateway: use at(gateway:)") }
        return egress.map { ($0, $0.egressIPs.contains(gateway) ? .translate(gateway) : .drop) }
    }

    /// Every egress IP the policy names, in first-mention order.
    public var egressIPs: [IPv4Address] {
        var seen = Set<IPv4Address>()
        return egress.flatMap(\.egressIPs).filter { seen.insert($0).inserted }
    }

    /// Every pod prefix the policy selects, in order.
    public var selectedSources: [IPv4Prefix] { egress.flatMap(\.sources) }

    enum CodingKeys: String, CodingKey { case mode, ports, randomFully = "random_fully", egress, dropInvalid = "drop_invalid", gateway }
}
