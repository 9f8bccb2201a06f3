import LabNetwork
import LabSystem
/// The flows sent through a topology before any timing, to prove a backend enforces the policy:
/// every boundary (first, last, one below, one above) of each examined rule's source, destination and
/// port range, with the other fields held inside the rule, plus seeded random flows. Only flows the
/// lab can actually send are produced: sources the client owns (its address and the client pool),
/// destinations the server owns (the service range).
public struct ProbeSetGenerator: Sendable {
    public var seed: UInt64
    public var randomFlows: Int
    /// Rules whose boundaries are probed; a larger policy is sampled (first, last, and seeded picks).
    public var examinedRules: Int
    /// Hard cap on the probe count, so probing stays bounded in time whatever the policy.
    public var maximumProbes: Int
    /// The port used when a rule has none.
    public var defaultPort: UInt16

    public init(seed: UInt64 = 1, randomFlows: Int = 48, examinedRules: Int = 48, maximumProbes: Int = 640,
                defaultPort: UInt16 = 4000) {
        self.seed = seed
        self.randomFlows = randomFlows
        self.examinedRules = examinedRules
        self.maximumProbes = maximumProbes
        self.defaultPort = defaultPort
    }

    public static let sources: [IPv4Prefix] = [IPv4Prefix(address: AddressPlan.client, length: 32)!] + AddressPlan.clientPool
    public static let destinations = AddressPlan.serviceRange

    public func probes(for policy: Policy) -> [Flow] {
        var random = SplitMix64(seed: seed)
        var seen = Set<Flow>()
        var flows: [Flow] = []
        func add(_ flow: Flow) {
            if flows.count < maximumProbes, seen.insert(flow).inserted { flows.append(flow) }
        }
        for index in examined(policy.rules.count, &random) {
            boundaries(of: policy.rules[index]).forEach(add)
        }
        for _ in 0..<randomFlows { add(randomFlow(&random)) }
        return flows
    }

    /// Indices of the rules to probe: all of a small policy; otherwise the first and last few (the
    /// explicit rules sit at the end, after generated ones) and a seeded sample of the rest.
    func examined(_ count: Int, _ random: inout SplitMix64) -> [Int] {
        guard count > examinedRules else { return Array(0..<count) }
        let edge = examinedRules / 4
        var picked = Set(Array(0..<edge) + Array((count - edge)..<count))
        while picked.count < examinedRules { picked.insert(Int(random.next() % UInt64(count))) }
        return picked.sorted()
    }

    func boundaries(of rule: Rule) -> [Flow] {
        let protocols: [IPProtocol] = rule.proto == .any ? [.tcp, .udp, .icmp] : [rule.proto]
        let sourceInside = inside(rule.source, Self.sources) ?? AddressPlan.client
        let destinationInside = inside(rule.destination, [Self.destinations]) ?? AddressPlan.server
        var flows: [Flow] = []
        for proto in protocols {
            let portInside = proto.hasPorts ? (rule.destinationPorts?.lower ?? defaultPort) : nil
            func flow(_ source: IPv4Address, _ destination: IPv4Address, _ port: UInt16?) -> Flow {
                Flow(proto: proto, source: source, destination: destination, destinationPort: port)
            }
            flows.append(flow(sourceInside, destinationInside, portInside))
            for source in edges(rule.source) where Self.isSource(source) {
                flows.append(flow(source, destinationInside, portInside))
            }
            for destination in edges(rule.destination) where Self.destinations.contains(destination) {
                flows.append(flow(sourceInside, destination, portInside))
            }
            if proto.hasPorts, let range = rule.destinationPorts {
                for port in [Int(range.lower) - 1, Int(range.lower), Int(range.upper), Int(range.upper) + 1] where (1...65535).contains(port) {
                    flows.append(flow(sourceInside, destinationInside, UInt16(port)))
                }
            }
        }
        return flows
    }

    /// An address of `prefix` the lab can use, preferring its first address; nil if none is usable.
    func inside(_ prefix: IPv4Prefix?, _ usable: [IPv4Prefix]) -> IPv4Address? {
        guard let prefix else { return nil }
        for block in usable where block.contains(prefix.first) { return prefix.first }
        for block in usable where prefix.contains(block) || block.contains(prefix) {
            return block.length >= prefix.length ? block.first : prefix.first
        }
        return nil
    }

    /// First, last, one below the first, one above the last.
    func edges(_ prefix: IPv4Prefix?) -> [IPv4Address] {
        guard let prefix else { return [] }
        var result = [prefix.first, prefix.last]
        if prefix.first.value > 0 { result.append(IPv4Address(prefix.first.value - 1)) }
        if prefix.last.value < UInt32.max { result.append(IPv4Address(prefix.last.value + 1)) }
        return result
    }

    static func isSource(_ address: IPv4Address) -> Bool { sources.contains { $0.contains(address) } }

    func randomFlow(_ random: inout SplitMix64) -> Flow {
        let protocols: [IPProtocol] = [.tcp, .udp, .icmp]
        let proto = protocols[Int(random.next() % 3)]
        let block = Self.sources[1 + Int(random.next() % UInt64(Self.sources.count - 1))]
        let source = IPv4Address(block.first.value + UInt32(random.next() % block.size))
        let destination = IPv4Address(Self.destinations.first.value + UInt32(random.next() % Self.destinations.size))
        let port = proto.hasPorts ? UInt16(1 + random.next() % 65535) : nil
        return Flow(proto: proto, source: source, destination: destination, destinationPort: port)
    }
}
