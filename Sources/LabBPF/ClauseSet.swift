/// A set of clauses, one bit per clause index (bit 0 = clause 0, the first in policy order): the
/// value type of every policy map in the BPF filter.
public struct ClauseSet: Hashable, Sendable, CustomStringConvertible {
    public var bits: UInt64

    public init(bits: UInt64 = 0) { self.bits = bits }

    public init(_ indices: some Sequence<Int>) {
        bits = 0
        for index in indices { insert(index) }
    }

    public static let empty = ClauseSet()

    public mutating func insert(_ index: Int) {
        precondition((0..<ClauseSet.capacity).contains(index), "clause \(index) has no bit")
        bits |= 1 << UInt64(index)
    }

    public mutating func formUnion(_ other: ClauseSet) { bits |= other.bits }
    public func contains(_ index: Int) -> Bool { bits & (1 << UInt64(index)) != 0 }
    public var isEmpty: Bool { bits == 0 }

    /// The first clause in policy order, as the program finds it (lowest set bit).
    public var first: Int? { bits == 0 ? nil : bits.trailingZeroBitCount }

    public var indices: [Int] { (0..<ClauseSet.capacity).filter(contains) }

    /// Bits in a __u64.
    public static let capacity = 64

    /// "{0,3,7}": readable in a golden file, and exact.
    public var description: String { "{" + indices.map(String.init).joined(separator: ",") + "}" }
}
