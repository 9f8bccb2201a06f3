/// Makes the backend for a kind, or says why it cannot: the one place a new backend is registered
/// (beside its name and family in `BackendKind`).
public enum BackendFactory {
    public static func make(_ kind: BackendKind) throws -> any FilterBackend {
        switch kind {
        case .none: return NoneBackend()
        case .iptablesLegacy: return IptablesBackend(variant: .legacy)
        case .iptablesNft: return IptablesBackend(variant: .nft)
        case .iptablesIpset: return IptablesIpsetBackend()
        case .nftables: return NftablesBackend()
        case .iptablesRaw: return IptablesBackend(variant: .legacy, placement: .raw)
        case .iptablesNotrack: return IptablesBackend(variant: .legacy, placement: .filterNotrack)
        case .nftablesPrerouting: return NftablesBackend(placement: .prerouting)
        case .nftablesIngress: return NftablesBackend(placement: .ingress)
        case .xdp: return BPFBackend(variant: .xdp)
        case .tc: return BPFBackend(variant: .tc)
        case .xdpCtLRU: return CTBackend(variant: .xdp, table: .lru)
        case .tcCtLRU: return CTBackend(variant: .tc, table: .lru)
        case .xdpCtSwept: return CTBackend(variant: .xdp, table: .swept)
        case .tcCtSwept: return CTBackend(variant: .tc, table: .swept)
        case .xdpCtKfunc: return CTBackend(variant: .xdp, table: nil)
        case .tcCtKfunc: return CTBackend(variant: .tc, table: nil)
        case .tcSnat: return SNATBackend(table: .lru)
        case .tcSnatSwept: return SNATBackend(table: .swept)
        }
    }
}
