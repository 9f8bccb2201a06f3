/// The technologies benchlab compares. Each backend declares its family once (LabBackends'
/// `BackendKind.family`); run.json records it beside the backend's name, and the report and `compare`
/// read it from there. `compare` and the report pair each eBPF backend with each netfilter backend at
/// the same parameter point, and take every ratio against the baseline (DESIGN.md, "Backends").
public enum BackendFamily: String, Codable, Sendable {
    case baseline
    case netfilter
    case ebpf

    /// Run records of schema `benchlab.run/1` did not record families: this frozen table of the
    /// backends that schema knew is how they are still read. New backends never go here.
    public init?(schema1Backend backend: String) {
        switch backend {
        case "none": self = .baseline
        case "iptables-legacy", "iptables-nft", "iptables-ipset", "nftables": self = .netfilter
        case "xdp", "tc": self = .ebpf
        default: return nil
        }
    }
}
