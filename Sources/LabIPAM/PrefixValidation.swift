import LabNetwork

/// A prefix and the pool it was declared for, so an error names both sides of a conflict.
public struct OwnedPrefix: Sendable, Equatable {
    public let owner: String
    public let prefix: IPv4Prefix

    public init(owner: String, prefix: IPv4Prefix) {
        self.owner = owner
        self.prefix = prefix
    }
}

/// The checks every pool goes through before it hands out anything: inside the allowed range, and no
/// address claimed twice (two pools that overlap would give two pods the same address).
public enum PrefixValidation {
    public static func check(_ prefixes: [OwnedPrefix], allowed: IPv4Prefix) throws(IPAMError) {
        for owned in prefixes where !allowed.contains(owned.prefix) {
            throw .outsideAllowedRange(owned.prefix, owner: owned.owner, allowed: allowed)
        }
        try disjoint(prefixes)
    }

    /// Throws for the first overlapping pair in address order. Two CIDR prefixes overlap only when one
    /// contains the other, so after sorting by first address a conflict is always between neighbours
    /// of the widest prefix seen so far.
    public static func disjoint(_ prefixes: [OwnedPrefix]) throws(IPAMError) {
        let sorted = prefixes.sorted { ($0.prefix, $0.owner) < ($1.prefix, $1.owner) }
        var widest: OwnedPrefix?
        for owned in sorted {
            if let current = widest, current.prefix.contains(owned.prefix) {
                throw .overlap(current.prefix, owner: current.owner, owned.prefix, otherOwner: owned.owner)
            }
            if widest == nil || owned.prefix.last > widest!.prefix.last { widest = owned }
        }
    }
}
