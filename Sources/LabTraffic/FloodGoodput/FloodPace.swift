/// How fast the flood-goodput flood sends, from its share of the generator's ceiling measured in the
/// same run: the flood is a fraction of what this generator can do here, never a fixed pps that one
/// machine reaches and another does not.
public enum FloodPace: Sendable, Equatable {
    /// Share 0: no flood at all (the good traffic's own rate, the curve's starting point).
    case none
    /// Share 1: as fast as the generator goes, not paced to the ceiling measured a moment before
    /// (a pacer aiming at it would only lose a little to its own overhead).
    case unpaced
    /// Packets per second, at least 1.
    case paced(Int)

    public init(share: Double, ceilingPacketsPerSecond ceiling: Double) {
        precondition((0...1).contains(share), "flood_share is checked to lie in [0, 1]")
        if share == 0 {
            self = .none
        } else if share == 1 {
            self = .unpaced
        } else {
            self = .paced(max(1, Int((share * ceiling).rounded())))
        }
    }

    /// A fixed rate: 0 is no flood.
    public init(packetsPerSecond rate: Int) {
        precondition(rate >= 0, "flood_rate is checked to be 0 or more")
        self = rate == 0 ? .none : .paced(rate)
    }

    /// The flood agent's `rate` (0 = unpaced); nil when there is no flood.
    public var agentRate: Int? {
        switch self {
        case .none: return nil
        case .unpaced: return 0
        case .paced(let rate): return rate
        }
    }
}
