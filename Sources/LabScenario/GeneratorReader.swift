import LabNetwork
import LabPolicy
import Yams

/// Reads `policy.generate:` into a `RuleGenerator`, and checks up front that the pool can hold the
/// requested number of distinct prefixes, so a bad sweep value fails at parse time, not mid-run.
struct GeneratorReader {
    let reader: ValueReader

    static let keys = ScenarioFields.generator.keys
    static let maximumCount = 1_000_000

    func read(_ node: Node) -> RuleGenerator? {
        guard let fields = reader.mapping(node, subject("generate"), keys: Self.keys, context: "'generate'") else { return nil }
        let count = fields.required("count").flatMap { reader.scalar($0, subject("count"), expected: "an integer") }
        let number = count.flatMap { reader.integer($0, subject("count"), in: 0...Self.maximumCount) }
        let action = fields.value("action", default: Action.deny) { reader.choice($0, subject("action"), noun: "action") }
        let seed = fields.value("seed", default: 1) { reader.integer($0, subject("seed"), in: 0...Int.max) }
        let lengths = fields.value("lengths", default: [32], lengthList)
        let match = reader.protocolAndPorts(fields)
        let pool = fields.value("pool", default: AddressPlan.clientPool, poolList)
        guard let count, let number, let lengths, let pool else { return nil }
        let fits = fits(number, in: pool, lengths: lengths, countSite: count.site, lengthsNode: fields["lengths"])
        guard let action, let seed, let match, fits else { return nil }
        return RuleGenerator(count: number, seed: UInt64(seed), action: action, pool: pool,
                             lengths: lengths, proto: match.proto, destinationPorts: match.ports)
    }

    private func lengthList(_ node: Node) -> [UInt8]? {
        guard let items = reader.list(node, subject("lengths"), of: "prefix lengths") else { return nil }
        guard !items.isEmpty else {
            reader.log.error("'lengths' must list at least one prefix length", at: node.position)
            return nil
        }
        let lengths = items.map { reader.integer($0, "each 'lengths' entry", in: 8...32) }
        return lengths.contains { $0 == nil } ? nil : lengths.map { UInt8($0!) }
    }

    private func poolList(_ node: Node) -> [IPv4Prefix]? {
        guard let items = reader.list(node, subject("pool"), of: "prefixes") else { return nil }
        guard !items.isEmpty else {
            reader.log.error("'pool' must list at least one prefix", at: node.position)
            return nil
        }
        let pool = items.map(poolPrefix)
        guard !pool.contains(where: { $0 == nil }) else { return nil }
        return disjoint(pool.map { $0! }) ? pool.map { $0!.prefix } : nil
    }

    /// RuleGenerator counts its capacity block by block: overlapping blocks would count addresses
    /// twice and promise prefixes that do not exist.
    private func disjoint(_ pool: [(prefix: IPv4Prefix, site: Site)]) -> Bool {
        var disjoint = true
        for (index, entry) in pool.enumerated() {
            guard let earlier = pool[..<index].first(where: { $0.prefix.contains(entry.prefix) || entry.prefix.contains($0.prefix) }) else {
                continue
            }
            reader.log.error("pool prefix \(entry.prefix) overlaps \(earlier.prefix) (at \(earlier.site.position)); "
                             + "an address may be in the pool only once", at: entry.site)
            disjoint = false
        }
        return disjoint
    }

    /// Generated sources must stay inside the lab range: the client can only send from there.
    private func poolPrefix(_ node: Node) -> (prefix: IPv4Prefix, site: Site)? {
        guard let (prefix, site) = reader.prefix(node, "each 'pool' entry") else { return nil }
        guard AddressPlan.lab.contains(prefix) else {
            reader.log.error("pool prefix \(prefix) is outside the lab range \(AddressPlan.lab)", at: site)
            return nil
        }
        return (prefix, site)
    }

    private func fits(_ count: Int, in pool: [IPv4Prefix], lengths: [UInt8], countSite: Site, lengthsNode: Node?) -> Bool {
        guard count > 0 else { return true }
        let capacity = RuleGenerator(count: count, seed: 0, pool: pool, lengths: lengths).capacity
        let distinct = Set(lengths).sorted()
        let described = (distinct.count == 1 ? "length " : "lengths ") + distinct.map(String.init).joined(separator: ", ")
        if capacity == 0 {
            let shortest = pool.map(\.length).min() ?? 0
            reader.log.error("no length in 'lengths' fits the pool: a generated prefix must be at least as long as "
                             + "its pool prefix (the shortest is /\(shortest))", at: lengthsNode?.position ?? countSite.position)
            return false
        }
        guard UInt64(count) <= capacity else {
            reader.log.error("'count' \(count) is more than the pool holds: \(capacity) distinct prefixes of \(described)",
                             at: countSite)
            return false
        }
        return true
    }
}
