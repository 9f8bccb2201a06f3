import LabNetwork
import LabSystem
import LabPolicy

/// Seeded random policies and flows drawn from a deliberately small address space, so prefixes
/// overlap, nest and collide with flows often — the cases first-match order is about.
public struct RandomPolicies {
    public var random: SplitMix64

    public init(seed: UInt64) { random = SplitMix64(seed: seed) }

    /// 198.18.0.0/22: four /24s, enough room for nesting from /22 down to /32.
    public static let space = IPv4Prefix("198.18.0.0/22")!
    public static let ports: [UInt16] = [1, 22, 53, 79, 80, 81, 443, 1000, 1023, 1024, 65535]

    public mutating func policy(maxRules: Int = 12) -> Policy {
        let count = Int(random.next() % UInt64(maxRules + 1))
        let rules = (0..<count).map { _ in rule() }
        return Policy(rules: rules, defaultAction: coin() ? .allow : .deny)
    }

    public mutating func rule() -> Rule {
        let proto = [IPProtocol.tcp, .udp, .icmp, .any][Int(random.next() % 4)]
        var ports: PortRange?
        if proto.hasPorts, coin() {
            let a = Self.ports[Int(random.next() % UInt64(Self.ports.count))]
            let b = Self.ports[Int(random.next() % UInt64(Self.ports.count))]
            ports = PortRange(min(a, b), max(a, b))
        }
        return Rule(action: coin() ? .allow : .deny, source: coin() ? prefix() : nil,
                    destination: random.next() % 3 == 0 ? prefix() : nil, proto: proto, destinationPorts: ports)
    }

    public mutating func prefix() -> IPv4Prefix {
        let length = UInt8(22 + random.next() % 11)
        let offset = UInt32(truncatingIfNeeded: random.next()) & ~Self.space.mask & IPv4Prefix.mask(length)
        return IPv4Prefix(address: IPv4Address(Self.space.address.value | offset), length: length)!
    }

    public mutating func flow() -> Flow {
        let proto = [IPProtocol.tcp, .udp, .icmp][Int(random.next() % 3)]
        let port: UInt16? = proto.hasPorts
            ? (coin() ? Self.ports[Int(random.next() % UInt64(Self.ports.count))] : UInt16(truncatingIfNeeded: random.next() % 65535 + 1))
            : nil
        return Flow(proto: proto, source: address(), destination: address(),
                    sourcePort: proto.hasPorts ? 40000 : nil, destinationPort: port)
    }

    public mutating func address() -> IPv4Address {
        IPv4Address(Self.space.address.value | (UInt32(truncatingIfNeeded: random.next()) & ~Self.space.mask))
    }

    public mutating func coin() -> Bool { random.next() & 1 == 1 }
}
