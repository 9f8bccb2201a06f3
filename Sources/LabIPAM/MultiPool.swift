import LabNetwork

/// Several named pools, each a set of prefixes, handing out single pod addresses (as cloud ENI-like
/// modes give secondary addresses, and Cilium's multi-pool picks a pool per pod).
///
/// Every address of a pool's prefixes is handed out, the first and last included: each pod address is
/// its own /32 route to the pod, as an ENI secondary address is, with no shared subnet whose network or
/// broadcast address would need reserving. Addresses go in prefix order, lowest free first.
public struct MultiPool: Sendable, Equatable {
    /// One named pool and the addresses taken from it.
    public struct Pool: Sendable, Equatable {
        public let name: String
        public let prefixes: [IPv4Prefix]
        fileprivate var slots: SlotAllocator

        public var capacity: UInt64 { slots.capacity }
        public var allocatedCount: UInt64 { slots.allocatedCount }
        /// Pod name → address, for every pod given an address from this pool.
        public var pods: [String: IPv4Address] { slots.slots.mapValues(address) }

        /// Slot → address: slots run through the first prefix, then the next.
        fileprivate func address(_ slot: UInt64) -> IPv4Address {
            var remaining = slot
            for prefix in prefixes {
                if remaining < prefix.size { return IPv4Address(prefix.first.value + UInt32(remaining)) }
                remaining -= prefix.size
            }
            preconditionFailure("slot \(slot) beyond pool \(name)'s \(capacity) addresses")
        }
    }

    /// Pool name → pool.
    public private(set) var pools: [String: Pool]

    /// Validates before anything is handed out: every pool has prefixes, all inside `allowed`, and no two
    /// prefixes (of one pool or of two) overlap.
    public init(pools: [String: [IPv4Prefix]], allowed: IPv4Prefix = .any) throws(IPAMError) {
        for (name, prefixes) in pools.sorted(by: { $0.key < $1.key }) where prefixes.isEmpty {
            throw .emptyPool(owner: "pool \(name)")
        }
        let owned = pools.flatMap { name, prefixes in prefixes.map { OwnedPrefix(owner: "pool \(name)", prefix: $0) } }
        try PrefixValidation.check(owned, allowed: allowed)
        self.pools = pools.reduce(into: [:]) { result, entry in
            result[entry.key] = Pool(name: entry.key, prefixes: entry.value,
                                     slots: SlotAllocator(capacity: entry.value.reduce(0) { $0 + $1.size }))
        }
    }

    public var names: [String] { pools.keys.sorted() }

    public mutating func allocatePod(_ name: String, pool: String) throws(IPAMError) -> IPv4Address {
        guard var chosen = pools[pool] else { throw .unknownPool(pool, known: names) }
        if let held = chosen.slots.slots[name] { throw .duplicate(name, holds: "\(chosen.address(held))", owner: "pool \(pool)") }
        guard let slot = chosen.slots.allocate(name) else {
            throw .poolExhausted(pool: pool, prefixes: chosen.prefixes, allocated: chosen.allocatedCount, capacity: chosen.capacity)
        }
        pools[pool] = chosen
        return chosen.address(slot)
    }

    @discardableResult
    public mutating func releasePod(_ name: String, pool: String) throws(IPAMError) -> IPv4Address {
        guard var chosen = pools[pool] else { throw .unknownPool(pool, known: names) }
        guard let slot = chosen.slots.release(name) else { throw .unknownPod(name, owner: "pool \(pool)") }
        pools[pool] = chosen
        return chosen.address(slot)
    }
}
