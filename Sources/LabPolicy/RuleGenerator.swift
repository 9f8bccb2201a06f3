import LabNetwork
import LabSystem

/// Seeded, reproducible rule lists for sweeps: `count` distinct prefixes drawn from `pool` with the
/// given prefix lengths, all with the same action/protocol/port. Same seed, same list, on every machine.
public struct RuleGenerator: Hashable, Codable, Sendable {
    public var count: Int
    public var seed: UInt64
    public var action: Action
    public var pool: [IPv4Prefix]
    public var lengths: [UInt8]
    public var proto: IPProtocol
    public var destinationPorts: PortRange?

    public init(count: Int, seed: UInt64, action: Action = .deny, pool: [IPv4Prefix], lengths: [UInt8] = [32],
                proto: IPProtocol = .any, destinationPorts: PortRange? = nil) {
        self.count = count
        self.seed = seed
        self.action = action
        self.pool = pool
        self.lengths = lengths
        self.proto = proto
        self.destinationPorts = destinationPorts
    }

    /// How many distinct prefixes the pool can hold at the requested lengths.
    public var capacity: UInt64 {
        var total: UInt64 = 0
        for block in pool {
            for length in Set(lengths) where length >= block.length {
                total += UInt64(1) << UInt64(length - block.length)
            }
        }
        return total
    }

    public enum GeneratorError: Error, Equatable, CustomStringConvertible {
        case poolTooSmall(requested: Int, capacity: UInt64)
        case noLengthFits
        public var description: String {
            switch self {
            case .poolTooSmall(let requested, let capacity):
                return "cannot generate \(requested) distinct prefixes: the pool holds \(capacity) at these lengths"
            case .noLengthFits:
                return "no prefix length is at least as long as a pool block"
            }
        }
    }

    /// The rules, in generation order. Throws when the pool cannot hold `count` distinct prefixes.
    public func rules() throws -> [Rule] {
        guard count > 0 else { return [] }
        let choices = pool.flatMap { block in Set(lengths).sorted().filter { $0 >= block.length }.map { (block, $0) } }
        guard !choices.isEmpty else { throw GeneratorError.noLengthFits }
        guard UInt64(count) <= capacity else { throw GeneratorError.poolTooSmall(requested: count, capacity: capacity) }
        // Weight each (block, length) by how many prefixes it holds, so dense requests still finish.
        let weights = choices.map { UInt64(1) << UInt64($0.1 - $0.0.length) }
        let totalWeight = weights.reduce(0, +)
        var random = SplitMix64(seed: seed)
        var seen = Set<IPv4Prefix>()
        var rules: [Rule] = []
        rules.reserveCapacity(count)
        let dense = UInt64(count) * 2 > capacity
        if dense {
            // Rejection sampling slows down near capacity: enumerate and shuffle instead.
            var all: [IPv4Prefix] = []
            for (block, length) in choices {
                let n = UInt64(1) << UInt64(length - block.length)
                for i in 0..<n {
                    all.append(IPv4Prefix(address: IPv4Address(block.address.value | UInt32(i << UInt64(32 - length))), length: length)!)
                }
            }
            for i in stride(from: all.count - 1, to: 0, by: -1) {
                all.swapAt(i, Int(random.next() % UInt64(i + 1)))
            }
            for prefix in all where seen.insert(prefix).inserted {
                rules.append(makeRule(prefix))
                if rules.count == count { break }
            }
            return rules
        }
        while rules.count < count {
            var pick = random.next() % totalWeight
            var chosen = 0
            while pick >= weights[chosen] { pick -= weights[chosen]; chosen += 1 }
            let (block, length) = choices[chosen]
            let offset = UInt32(truncatingIfNeeded: random.next()) & ~block.mask & IPv4Prefix.mask(length)
            let prefix = IPv4Prefix(address: IPv4Address(block.address.value | offset), length: length)!
            if seen.insert(prefix).inserted { rules.append(makeRule(prefix)) }
        }
        return rules
    }

    private func makeRule(_ prefix: IPv4Prefix) -> Rule {
        Rule(action: action, source: prefix, proto: proto, destinationPorts: destinationPorts)
    }
}
