import LabConntrack
import LabNetwork

/// The flows of a fill, as a pure function of (count, seed, sources, server, port): flow `i` is the
/// same on the driver and in the agent, so the agent ships back only a timestamp per flow and the
/// driver rebuilds the tuples to join them with a tracker's entries.
///
/// Every flow is a distinct 5-tuple: the sources × source ports grid (ports 1024…65535) is walked by
/// an affine bijection i ↦ (a·i + b) mod M chosen from the seed, so the order differs by seed (the
/// table's hash buckets fill in a different order) while no tuple repeats.
public struct FlowFillPlan: Sendable, Equatable {
    public static let ports: ClosedRange<UInt16> = 1024...65535
    public static var portsPerSource: Int { Int(ports.upperBound) - Int(ports.lowerBound) + 1 }

    public let count: Int
    public let seed: UInt64
    public let sources: [IPv4Address]
    public let destination: IPv4Address
    public let destinationPort: UInt16
    public let proto: UInt8

    private let modulus: UInt64
    private let multiplier: UInt64
    private let offset: UInt64

    /// nil when `count` exceeds what the sources can give (sources × 64512) or is not positive.
    public init?(count: Int, seed: UInt64, sources: [IPv4Address], destination: IPv4Address, destinationPort: UInt16,
                 proto: UInt8 = 17) {
        let capacity = sources.count * Self.portsPerSource
        guard count >= 1, count <= capacity else { return nil }
        self.count = count
        self.seed = seed
        self.sources = sources
        self.destination = destination
        self.destinationPort = destinationPort
        self.proto = proto
        modulus = UInt64(capacity)
        var mixer = SplitMix64(seed)
        var a = mixer.next() % modulus | 1
        while Self.gcd(a, modulus) != 1 { a = (a + 2) % modulus }
        multiplier = a
        offset = mixer.next() % modulus
    }

    /// The largest fill `sources` can give.
    public static func capacity(sources: Int) -> Int { sources * portsPerSource }

    public func flow(_ index: Int) -> TrackedFlow {
        precondition(index >= 0 && index < count, "flow index out of range")
        // Both factors are below 2^32 (64 sources × 64512 ports), so the product fits.
        let cell = (multiplier &* UInt64(index) &+ offset) % modulus
        let source = sources[Int(cell % UInt64(sources.count))]
        let port = UInt16(Int(Self.ports.lowerBound) + Int(cell / UInt64(sources.count)))
        return TrackedFlow(proto: proto, source: source, destination: destination, sourcePort: port, destinationPort: destinationPort)
    }

    public var flows: [TrackedFlow] { (0..<count).map(flow) }

    static func gcd(_ a: UInt64, _ b: UInt64) -> UInt64 { b == 0 ? a : gcd(b, a % b) }
}

/// A small, well-mixed generator (Steele et al.), so a seed names the same plan on every platform.
struct SplitMix64 {
    private var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
