import LabNetwork
import LabPolicy
import LabSystem

/// The client-pool sources a packet-rate workload sends from: some the case's policy allows and,
/// when a share of denied packets is asked for, some it denies — for UDP to the sink's port. Chosen
/// by the reference evaluator from the policy alone, so every backend of a case gets the same ones
/// (and `none`, which enforces nothing, delivers the denied ones too: the baseline).
public struct PacketRateSources: Sendable, Equatable {
    public var allowed: [IPv4Address]
    public var denied: [IPv4Address]

    public init(allowed: [IPv4Address], denied: [IPv4Address]) {
        self.allowed = allowed
        self.denied = denied
    }

    /// A few of each: enough that the filter sees several flows (a hash filter does not get to answer
    /// one hot entry from cache), few enough to pick quickly from a policy of thousands of rules.
    public static let perVerdict = 4
    /// Candidates tried before giving up; the reference evaluator is linear in the rules.
    static let candidateBudget = 4096

    /// Throws a `LabFailure` naming the workload when the policy cannot give what `deniedShare` asks for.
    public static func select(for policy: Policy, deniedShare: Double, deniedFrom: IPv4Prefix? = nil, port: UInt16,
                              pool: SourcePool = .clientPool, workload: String) throws -> PacketRateSources {
        let wantAllowed = deniedShare < 1
        let fromPrefix = try deniedFrom.map { try deniedSources(from: $0, policy: policy, port: port, pool: pool, workload: workload) }
        let wantDenied = deniedShare > 0 && fromPrefix == nil
        var allowed: [IPv4Address] = []
        var denied: [IPv4Address] = []
        for (tried, source) in candidates(policy, pool: pool).enumerated() {
            let allowedFull = !wantAllowed || allowed.count == perVerdict
            let deniedFull = !wantDenied || denied.count == perVerdict
            if (allowedFull && deniedFull) || tried == candidateBudget { break }
            let flow = Flow(proto: .udp, source: source, destination: AddressPlan.server, destinationPort: port)
            switch SourcePool.verdict(policy, flow) {
            case .allow where wantAllowed && allowed.count < perVerdict: allowed.append(source)
            case .deny where wantDenied && denied.count < perVerdict: denied.append(source)
            default: break
            }
        }
        let target = "UDP to \(AddressPlan.server):\(port)"
        if let fromPrefix, deniedShare > 0 { denied = fromPrefix }
        if wantDenied && denied.isEmpty {
            throw LabFailure("\(workload): denied_share is \(deniedShare) but the policy allows \(target) from every \(pool.noun) "
                             + "tried; add a deny rule that covers \(pool.nouns), or set denied_share to 0")
        }
        if wantAllowed && allowed.isEmpty {
            throw LabFailure("\(workload): denied_share is \(deniedShare) but the policy denies \(target) from every \(pool.noun) "
                             + "tried; allow some \(pool.nouns), or set denied_share to 1")
        }
        return PacketRateSources(allowed: allowed, denied: denied)
    }

    /// `perVerdict` addresses spread evenly over `prefix` (fewer if it is smaller), each of which must
    /// be a client-pool source the policy denies: the scenario names where the flood comes from, e.g.
    /// the sources of the last rule of a 10k-rule chain, instead of the first rules' sources a linear
    /// chain would drop at once.
    public static func deniedSources(from prefix: IPv4Prefix, policy: Policy, port: UInt16, pool: SourcePool = .clientPool,
                                     workload: String) throws -> [IPv4Address] {
        let size = UInt64(1) << UInt64(32 - prefix.length)
        let count = UInt64(min(UInt64(perVerdict), size))
        return try (0..<count).map { index in
            let address = IPv4Address(prefix.address.value + UInt32(size * (2 * index + 1) / (2 * count)))
            guard pool.contains(address) else {
                throw LabFailure("\(workload): denied_from \(prefix) includes \(address), which is outside the \(pool.preferred.isEmpty ? "client pool" : "client node's pod CIDR") "
                                 + "(\(pool.prefixes.map { "\($0)" }.joined(separator: ", "))); name a prefix inside it")
            }
            let flow = Flow(proto: .udp, source: address, destination: AddressPlan.server, destinationPort: port)
            guard SourcePool.verdict(policy, flow) == .deny else {
                throw LabFailure("\(workload): denied_from \(prefix) includes \(address), which the policy allows for UDP to "
                                 + "\(AddressPlan.server):\(port); name a prefix the policy denies")
            }
            return address
        }
    }

    /// Client-pool addresses in a fixed order: inside each pool block's edges first (most policies
    /// decide those like the bulk of the pool), then each rule's source range and its neighbours (where
    /// verdicts change), then an even spread over the pool. Duplicates are skipped.
    static func candidates(_ policy: Policy, pool sources: SourcePool = .clientPool) -> [IPv4Address] {
        let pool = sources.prefixes
        func inPool(_ value: Int64) -> IPv4Address? {
            guard value >= 0, value <= Int64(UInt32.max) else { return nil }
            let address = IPv4Address(UInt32(value))
            return pool.contains { $0.contains(address) } ? address : nil
        }
        var ordered: [IPv4Address] = []
        var seen = Set<IPv4Address>()
        func add(_ value: Int64) {
            if let address = inPool(value), seen.insert(address).inserted { ordered.append(address) }
        }
        for pod in sources.preferred { add(Int64(pod.value)) }
        for block in pool {
            add(Int64(block.first.value) + 1)
            add(Int64(block.last.value) - 1)
        }
        for rule in policy.rules {
            guard let source = rule.source, ordered.count < candidateBudget else { continue }
            add(Int64(source.first.value))
            add(Int64(source.last.value))
            add(Int64(source.first.value) - 1)
            add(Int64(source.last.value) + 1)
        }
        let poolSize = pool.reduce(UInt64(0)) { $0 + $1.size }
        let stride = max(1, poolSize / 256)
        for block in pool {
            var offset: UInt64 = stride / 2
            while offset < block.size {
                add(Int64(block.first.value) + Int64(offset))
                offset += stride
            }
        }
        return ordered
    }
}
