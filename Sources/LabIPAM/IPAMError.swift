import LabNetwork

/// Everything the IPAM model refuses, each as one line that names the pool, the prefix or the name
/// involved, so a scenario error can quote it unchanged.
public enum IPAMError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Two prefixes (of two pools, or of one pool) share addresses.
    case overlap(IPv4Prefix, owner: String, IPv4Prefix, otherOwner: String)
    /// A pool prefix is not wholly inside the range the caller allows (the lab passes 198.18.0.0/15).
    case outsideAllowedRange(IPv4Prefix, owner: String, allowed: IPv4Prefix)
    /// The per-node mask is not longer than a cluster prefix, so no prefix splits into node CIDRs.
    case nodeMaskNotLongerThanCluster(nodeMaskLength: UInt8, cluster: IPv4Prefix)
    /// The per-node mask leaves no address once the reserved ones are taken out.
    case nodeMaskLeavesNoPods(nodeMaskLength: UInt8)
    /// A pool was declared without prefixes.
    case emptyPool(owner: String)
    case clusterExhausted(prefixes: [IPv4Prefix], nodeMaskLength: UInt8, allocated: UInt64, capacity: UInt64)
    case nodeExhausted(node: String, podCIDR: IPv4Prefix, allocated: UInt64, capacity: UInt64)
    case poolExhausted(pool: String, prefixes: [IPv4Prefix], allocated: UInt64, capacity: UInt64)
    case unknownPool(String, known: [String])
    case unknownNode(String)
    case unknownPod(String, owner: String)
    /// A name that already holds an allocation: asking twice is a caller bug worth naming, not an idempotent no-op,
    /// since two nodes or pods that share a name would otherwise share addresses silently.
    case duplicate(String, holds: String, owner: String)

    public var description: String {
        switch self {
        case let .overlap(prefix, owner, other, otherOwner):
            "\(owner) prefix \(prefix) overlaps \(otherOwner) prefix \(other)"
        case let .outsideAllowedRange(prefix, owner, allowed):
            "\(owner) prefix \(prefix) is outside the allowed range \(allowed)"
        case let .nodeMaskNotLongerThanCluster(length, cluster):
            "per-node mask /\(length) is not longer than cluster prefix \(cluster)"
        case let .nodeMaskLeavesNoPods(length):
            "per-node mask /\(length) leaves no pod addresses (network, gateway and broadcast addresses are reserved)"
        case let .emptyPool(owner):
            "\(owner) has no prefixes"
        case let .clusterExhausted(prefixes, length, allocated, capacity):
            "cluster pool \(prefixes.map(\.description).joined(separator: ", ")) with /\(length) per node is exhausted: "
                + "\(allocated) of \(capacity) node CIDRs allocated"
        case let .nodeExhausted(node, podCIDR, allocated, capacity):
            "pod CIDR \(podCIDR) of node \(node) is exhausted: \(allocated) of \(capacity) pod addresses allocated"
        case let .poolExhausted(pool, prefixes, allocated, capacity):
            "pool \(pool) (\(prefixes.map(\.description).joined(separator: ", "))) is exhausted: "
                + "\(allocated) of \(capacity) addresses allocated"
        case let .unknownPool(name, known):
            "no pool named \(name); known pools: \(known.isEmpty ? "none" : known.joined(separator: ", "))"
        case let .unknownNode(name):
            "no node named \(name) holds a pod CIDR"
        case let .unknownPod(name, owner):
            "no pod named \(name) in \(owner)"
        case let .duplicate(name, holds, owner):
            "\(name) already holds \(holds) in \(owner)"
        }
    }
}
