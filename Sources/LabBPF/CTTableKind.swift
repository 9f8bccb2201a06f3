import CLibBPF

/// How the stateful filter's table reclaims entries: the map type chosen at load.
public enum CTTableKind: String, Sendable, Hashable, CaseIterable {
    /// BPF_MAP_TYPE_LRU_HASH: the kernel evicts the least recently used entry when it needs room,
    /// live or expired, and says nothing.
    case lru
    /// BPF_MAP_TYPE_HASH swept by a user-space collector: when full it refuses new entries.
    case swept

    var mapType: bpf_map_type {
        switch self {
        case .lru: return BPF_MAP_TYPE_LRU_HASH
        case .swept: return BPF_MAP_TYPE_HASH
        }
    }

    /// The kernel's name of the map type, for gates.
    public var mapTypeName: String {
        switch self {
        case .lru: return "BPF_MAP_TYPE_LRU_HASH"
        case .swept: return "BPF_MAP_TYPE_HASH"
        }
    }
}
