import LabNetwork
import LabSystem

/// Seeded, reproducible service sets for sweeps (1 to 30k services): `count` services, each with a VIP
/// from `vipRange` and `endpointsPerService` endpoints from `endpointRange`. Every VIP and every endpoint
/// address is used once, so no two services collide and an endpoint's identity names its service.
/// Same seed, same list, on every machine (SplitMix64).
///
/// The two ranges must not overlap: that keeps a VIP from ever being an endpoint's address (the
/// ambiguity `ServicePolicy.validate` rejects), as Kubernetes keeps its service CIDR apart from pod CIDRs.
/// A range's first and last address (its network and broadcast address) are not used when it is /30
/// or wider, since neither can be given to an interface.
public struct ServiceGenerator: Hashable, Codable, Sendable {
    public var count: Int
    public var endpointsPerService: Int
    public var seed: UInt64
    public var vipRange: IPv4Prefix
    public var endpointRange: IPv4Prefix
    public var port: UInt16
    public var endpointPort: UInt16
    public var proto: TransportProtocol

    public init(count: Int, endpointsPerService: Int, seed: UInt64, vipRange: IPv4Prefix, endpointRange: IPv4Prefix,
                port: UInt16 = 80, endpointPort: UInt16 = 8080, proto: TransportProtocol = .tcp) {
        self.count = count
        self.endpointsPerService = endpointsPerService
        self.seed = seed
        self.vipRange = vipRange
        self.endpointRange = endpointRange
        self.port = port
        self.endpointPort = endpointPort
        self.proto = proto
    }

    public enum GeneratorError: Error, Hashable, CustomStringConvertible {
        case negativeCount
        case rangesOverlap(vips: IPv4Prefix, endpoints: IPv4Prefix)
        case vipRangeTooSmall(requested: Int, range: IPv4Prefix, capacity: UInt64)
        case endpointRangeTooSmall(requested: Int, range: IPv4Prefix, capacity: UInt64)

        public var description: String {
            switch self {
            case .negativeCount:
                return "service count and endpoints per service must not be negative"
            case .rangesOverlap(let vips, let endpoints):
                return "the VIP range \(vips) overlaps the endpoint range \(endpoints): a VIP could be an endpoint's address"
            case .vipRangeTooSmall(let requested, let range, let capacity):
                return "cannot generate \(requested) services: the VIP range \(range) holds \(capacity) usable addresses"
            case .endpointRangeTooSmall(let requested, let range, let capacity):
                return "cannot generate \(requested) endpoints: the endpoint range \(range) holds \(capacity) usable addresses"
            }
        }
    }

    /// Addresses of `range` the generator may hand out (without network and broadcast when /30 or wider).
    public static func usableAddresses(in range: IPv4Prefix) -> UInt64 {
        range.length <= 30 ? range.size - 2 : range.size
    }

    /// The policy, services in generation order. Services get endpoints only when `endpointsPerService`
    /// is positive; with 0 the policy rejects connections to them (kube-proxy's behaviour).
    public func policy() throws(GeneratorError) -> ServicePolicy {
        guard count >= 0, endpointsPerService >= 0 else { throw .negativeCount }
        guard !vipRange.contains(endpointRange), !endpointRange.contains(vipRange) else {
            throw .rangesOverlap(vips: vipRange, endpoints: endpointRange)
        }
        let vipCapacity = Self.usableAddresses(in: vipRange)
        guard UInt64(count) <= vipCapacity else { throw .vipRangeTooSmall(requested: count, range: vipRange, capacity: vipCapacity) }
        let endpointCount = count * endpointsPerService
        let endpointCapacity = Self.usableAddresses(in: endpointRange)
        guard UInt64(endpointCount) <= endpointCapacity else {
            throw .endpointRangeTooSmall(requested: endpointCount, range: endpointRange, capacity: endpointCapacity)
        }
        var random = SplitMix64(seed: seed)
        let vips = Self.distinctAddresses(count, in: vipRange, using: &random)
        let endpointAddresses = Self.distinctAddresses(endpointCount, in: endpointRange, using: &random)
        let services = vips.enumerated().map { index, vip in
            let mine = endpointAddresses[(index * endpointsPerService)..<((index + 1) * endpointsPerService)]
            return Service(vip: vip, port: port, proto: proto,
                           endpoints: mine.map { ServiceEndpoint(address: $0, port: endpointPort) })
        }
        return ServicePolicy(services: services, withoutEndpoints: endpointsPerService == 0 ? .reject : nil)
    }

    /// `count` distinct usable addresses of `range`, in draw order. Precondition: count ≤ usable addresses.
    static func distinctAddresses(_ count: Int, in range: IPv4Prefix, using random: inout SplitMix64) -> [IPv4Address] {
        let skipEnds = range.length <= 30
        let usable = usableAddresses(in: range)
        let firstOffset: UInt64 = skipEnds ? 1 : 0
        func address(_ index: UInt64) -> IPv4Address { IPv4Address(range.address.value | UInt32(index + firstOffset)) }
        if UInt64(count) * 2 > usable {
            // Near capacity rejection sampling slows down: shuffle every offset and take a prefix.
            var all = Array(0..<usable)
            for i in stride(from: all.count - 1, to: 0, by: -1) {
                all.swapAt(i, Int(random.next() % UInt64(i + 1)))
            }
            return all.prefix(count).map(address)
        }
        var seen = Set<UInt64>()
        var result: [IPv4Address] = []
        result.reserveCapacity(count)
        while result.count < count {
            let index = random.next() % usable
            if seen.insert(index).inserted { result.append(address(index)) }
        }
        return result
    }
}
