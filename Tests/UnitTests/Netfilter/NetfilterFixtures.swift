import LabNetwork
import LabPolicy
@testable import LabTopology

/// Policies the netfilter unit tests compile.
enum NetfilterFixtures {
    static func prefix(_ text: String) -> IPv4Prefix { IPv4Prefix(text)! }

    /// Every feature once: source and destination prefixes, each protocol, a single port and a range,
    /// a /0 source, two multi-prefix clauses (one per action, one with a prefix inside another).
    static func features(default action: Action) -> Policy {
        Policy(rules: [
            Rule(action: .allow, source: prefix("198.18.16.0/24"), destination: prefix("198.18.1.0/24"), proto: .tcp,
                 destinationPorts: PortRange(port: 80)),
            Rule(action: .allow, destination: prefix("198.18.1.0/25"), proto: .udp, destinationPorts: PortRange(7000, 7099)),
            Rule(action: .deny, source: prefix("198.18.32.0/20")),
            Rule(action: .deny, source: prefix("198.18.48.0/24")),
            Rule(action: .deny, source: prefix("198.18.32.0/24")),
            Rule(action: .allow, source: prefix("198.18.64.0/18"), proto: .icmp),
            Rule(action: .deny, proto: .udp, destinationPorts: PortRange(port: 53)),
            Rule(action: .allow, source: prefix("198.18.128.0/24"), proto: .udp, destinationPorts: PortRange(port: 7001)),
            Rule(action: .allow, source: prefix("198.18.129.0/24"), proto: .udp, destinationPorts: PortRange(port: 7001)),
            Rule(action: .allow, source: prefix("0.0.0.0/0"), destination: prefix("198.18.1.1/32"), proto: .tcp,
                 destinationPorts: PortRange(port: 443)),
            Rule(action: .deny, proto: .tcp),
        ], defaultAction: action)
    }

    /// A sweep-sized policy: 1000 deny prefixes (/24 and /32) from the client pool, default allow.
    static func generated(_ count: Int = 1000) throws -> Policy {
        let rules = try RuleGenerator(count: count, seed: 7, pool: AddressPlan.clientPool, lengths: [24, 32]).rules()
        return Policy(rules: rules, defaultAction: .allow)
    }

    static let routedPoint = FilterPoint(namespace: "bl-abc123-dut", ingressInterface: "blabc123-d0",
                                         egressInterface: "blabc123-d1", hook: .forward)
    static let pairPoint = FilterPoint(namespace: "bl-abc123-srv", ingressInterface: "blabc123-s0",
                                       egressInterface: nil, hook: .input)

    /// FNV-1a, 64 bits: a stable fingerprint of a big artifact (Swift's `hashValue` is seeded per process).
    static func fingerprint(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
