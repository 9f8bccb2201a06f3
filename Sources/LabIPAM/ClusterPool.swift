import LabNetwork

/// A cluster CIDR carved into equal per-node pod CIDRs, as Cilium's cluster-pool IPAM and the
/// Kubernetes node IPAM controller (host-scope) do: each node gets the next free /nodeMaskLength of
/// the cluster prefixes, taken in the order given, and hands pod addresses out of it.
public struct ClusterPool: Sendable, Equatable {
    public let prefixes: [IPv4Prefix]
    public let nodeMaskLength: UInt8
    private var slots: SlotAllocator
    /// Node name → its pod CIDR and the pods on it.
    public private(set) var nodes: [String: NodePodCIDR] = [:]

    /// Validates before anything is handed out: prefixes inside `allowed`, not overlapping each other,
    /// each split by a longer per-node mask that still leaves pod addresses.
    public init(prefixes: [IPv4Prefix], nodeMaskLength: UInt8, allowed: IPv4Prefix = .any) throws(IPAMError) {
        guard !prefixes.isEmpty else { throw .emptyPool(owner: "cluster pool") }
        try PrefixValidation.check(prefixes.map { OwnedPrefix(owner: "cluster pool", prefix: $0) }, allowed: allowed)
        for prefix in prefixes where nodeMaskLength <= prefix.length {
            throw .nodeMaskNotLongerThanCluster(nodeMaskLength: nodeMaskLength, cluster: prefix)
        }
        guard nodeMaskLength <= 32, UInt64(1) << (32 - UInt64(nodeMaskLength)) > NodePodCIDR.reservedCount else {
            throw .nodeMaskLeavesNoPods(nodeMaskLength: nodeMaskLength)
        }
        self.prefixes = prefixes
        self.nodeMaskLength = nodeMaskLength
        slots = SlotAllocator(capacity: prefixes.reduce(0) { $0 + Self.nodeCount(in: $1, nodeMaskLength: nodeMaskLength) })
    }

    public var capacity: UInt64 { slots.capacity }
    public var allocatedCount: UInt64 { slots.allocatedCount }

    /// Gives `name` the lowest free node CIDR.
    @discardableResult
    public mutating func allocateNode(_ name: String) throws(IPAMError) -> NodePodCIDR {
        if let held = nodes[name] { throw .duplicate(name, holds: "\(held.prefix)", owner: "cluster pool") }
        guard let slot = slots.allocate(name) else {
            throw .clusterExhausted(prefixes: prefixes, nodeMaskLength: nodeMaskLength,
                                    allocated: slots.allocatedCount, capacity: slots.capacity)
        }
        let node = NodePodCIDR(node: name, prefix: nodeCIDR(slot))!
        nodes[name] = node
        return node
    }

    /// Frees the node's CIDR, and with it every pod address on the node (the pods go with the node).
    @discardableResult
    public mutating func releaseNode(_ name: String) throws(IPAMError) -> IPv4Prefix {
        guard slots.release(name) != nil, let node = nodes.removeValue(forKey: name) else { throw .unknownNode(name) }
        return node.prefix
    }

    public mutating func allocatePod(_ name: String, node: String) throws(IPAMError) -> IPv4Address {
        guard nodes[node] != nil else { throw .unknownNode(node) }
        return try nodes[node]!.allocatePod(name)
    }

    @discardableResult
    public mutating func releasePod(_ name: String, node: String) throws(IPAMError) -> IPv4Address {
        guard nodes[node] != nil else { throw .unknownNode(node) }
        return try nodes[node]!.releasePod(name)
    }

    private static func nodeCount(in prefix: IPv4Prefix, nodeMaskLength: UInt8) -> UInt64 {
        UInt64(1) << UInt64(nodeMaskLength - prefix.length)
    }

    /// Slot → prefix: slots run through the first cluster prefix, then the next.
    private func nodeCIDR(_ slot: UInt64) -> IPv4Prefix {
        var remaining = slot
        for prefix in prefixes {
            let count = Self.nodeCount(in: prefix, nodeMaskLength: nodeMaskLength)
            if remaining < count {
                let step = UInt64(1) << (32 - UInt64(nodeMaskLength))
                return IPv4Prefix(address: IPv4Address(prefix.first.value + UInt32(remaining * step)), length: nodeMaskLength)!
            }
            remaining -= count
        }
        preconditionFailure("slot \(slot) beyond the cluster pool's \(capacity) node CIDRs")
    }
}
