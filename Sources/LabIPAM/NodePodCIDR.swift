import LabNetwork

/// One node's pod CIDR and the pod addresses handed out from it (Kubernetes' `node.spec.podCIDR`,
/// Cilium's per-node range in cluster-pool mode).
///
/// Reserved, never given to a pod:
/// - the network address (the first): it names the subnet in routes and is no host's address;
/// - the first host address: the node's own gateway address on its pod bridge, as Cilium's router IP
///   (cilium_host) takes one address of the node's range; pods route through it;
/// - the broadcast address (the last): pods share the bridge subnet, and the kernel treats the
///   subnet's last address as broadcast there, so a pod holding it would never get unicast.
/// Pods are handed out from the second host address upwards.
public struct NodePodCIDR: Sendable, Equatable {
    public let node: String
    public let prefix: IPv4Prefix
    private var slots: SlotAllocator

    /// Network, gateway and broadcast addresses.
    public static let reservedCount: UInt64 = 3

    /// nil when the prefix leaves no pod address (a /31 or /32).
    public init?(node: String, prefix: IPv4Prefix) {
        guard prefix.size > Self.reservedCount else { return nil }
        self.node = node
        self.prefix = prefix
        slots = SlotAllocator(capacity: prefix.size - Self.reservedCount)
    }

    /// The node's address on its pod bridge, the pods' default gateway.
    public var gateway: IPv4Address { IPv4Address(prefix.first.value + 1) }
    public var capacity: UInt64 { slots.capacity }
    public var allocatedCount: UInt64 { slots.allocatedCount }

    /// Pod name → address, for every pod on this node.
    public var pods: [String: IPv4Address] { slots.slots.mapValues(address) }

    public mutating func allocatePod(_ name: String) throws(IPAMError) -> IPv4Address {
        if let held = slots.slots[name] { throw .duplicate(name, holds: "\(address(held))", owner: "node \(node)") }
        guard let slot = slots.allocate(name) else {
            throw .nodeExhausted(node: node, podCIDR: prefix, allocated: slots.allocatedCount, capacity: slots.capacity)
        }
        return address(slot)
    }

    @discardableResult
    public mutating func releasePod(_ name: String) throws(IPAMError) -> IPv4Address {
        guard let slot = slots.release(name) else { throw .unknownPod(name, owner: "node \(node)") }
        return address(slot)
    }

    /// Slot 0 is the second host address: network and gateway come first.
    private func address(_ slot: UInt64) -> IPv4Address { IPv4Address(prefix.first.value + 2 + UInt32(slot)) }
}
