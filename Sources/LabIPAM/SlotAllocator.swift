/// Hands out slot indexes 0..<capacity to names, always the lowest free one, so the same requests in
/// the same order give the same slots, and a released slot is the next one handed out.
/// (Kubernetes' cidrset instead resumes after the last allocation to delay reuse; a lab rebuilds from
/// scratch every run, so reuse-first keeps plans small and predictable.)
struct SlotAllocator: Sendable, Equatable {
    let capacity: UInt64
    private(set) var slots: [String: UInt64] = [:]
    private var taken: Set<UInt64> = []
    /// Every slot below this is taken: the scan for the lowest free slot starts here.
    private var lowestMaybeFree: UInt64 = 0

    init(capacity: UInt64) { self.capacity = capacity }

    var allocatedCount: UInt64 { UInt64(slots.count) }

    /// The slot given to `name`, or nil when every slot is taken. The caller checks duplicates first.
    mutating func allocate(_ name: String) -> UInt64? {
        precondition(slots[name] == nil, "\(name) already holds a slot")
        var candidate = lowestMaybeFree
        while taken.contains(candidate) { candidate += 1 }
        guard candidate < capacity else { return nil }
        taken.insert(candidate)
        slots[name] = candidate
        lowestMaybeFree = candidate + 1
        return candidate
    }

    /// Frees the slot `name` held; nil when it held none.
    mutating func release(_ name: String) -> UInt64? {
        guard let slot = slots.removeValue(forKey: name) else { return nil }
        taken.remove(slot)
        lowestMaybeFree = min(lowestMaybeFree, slot)
        return slot
    }
}
