/// nf_conntrack switched on in a namespace for every backend of a scenario (`host_conntrack: true`),
/// as on a host that tracks connections for other reasons (NAT, a stateful rule elsewhere, Docker).
///
/// A namespace runs no conntrack until some rule needs it: nf_conntrack registers its hooks per
/// namespace on the first `nf_ct_netns_get`. Without this, a drop in iptables `filter INPUT` would
/// cost no conntrack work at all and Cloudflare's ladder (raw PREROUTING beats filter INPUT because it
/// drops before conntrack) could not show. The switch is one `ct` expression in an nftables chain on
/// the OUTPUT hook, which no forwarded or received packet crosses, so it costs every backend the same:
/// conntrack itself, and nothing of nftables' in the measured path.
public enum AmbientConntrack {
    /// bl-prefixed like every lab object; it dies with the namespace.
    public static let table = "blhostct"

    static var script: String {
        """
        table ip \(table) {
        \tchain output {
        \t\ttype filter hook output priority 0; policy accept;
        \t\tct state invalid counter
        \t}
        }

        """
    }

    /// Switches conntrack on in `namespace`; returns the gates to record beside the case's own.
    public static func enable(in namespace: String) throws -> [String: String] {
        try NftablesBackend.nft(script).run(in: namespace)
        return ["host_conntrack": "on (nft table \(table), ct expression on the output hook)"]
    }
}
