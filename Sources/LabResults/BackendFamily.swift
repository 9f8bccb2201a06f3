/// The two technologies benchlab compares. `compare` and the report pair each eBPF backend with each
/// netfilter backend at the same parameter point (DESIGN.md, "Backends").
public enum BackendFamily: String, Sendable {
    case baseline
    case netfilter
    case ebpf

    /// The no-filter backend every ratio is taken against.
    public static let baselineBackend = "none"

    public init?(backend: String) {
        switch backend {
        case "none": self = .baseline
        case "iptables-legacy", "iptables-nft", "iptables-ipset", "nftables": self = .netfilter
        case "xdp", "tc": self = .ebpf
        default: return nil
        }
    }
}
