/// SplitMix64 (Steele, Lea & Flood, 2014): tiny, fast, and identical on every platform and toolchain —
/// the property a seeded lab needs, for generated rules, probe sets and bootstrap resampling alike
/// (Swift's SystemRandomNumberGenerator cannot be seeded, and the algorithm behind
/// `Int.random(in:using:)` is not promised to stay the same across releases).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A seed derived from a label (FNV-1a, 64 bit), so every statistic gets its own reproducible
    /// stream without the caller keeping a counter. Swift's `Hasher` is randomised per process and
    /// would make reports differ between runs.
    public static func seed(for label: String, base: UInt64 = 0) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325 ^ base
        for byte in label.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}
