/// Garbage-collection lag: for each flow the lab let go idle, how long its entry stayed in the table
/// after it had expired (the time it disappeared − the time it went idle − its timeout). Pure.
public enum GCLag {
    public struct Idle: Sendable, Equatable {
        public var flow: TrackedFlow
        /// CLOCK_MONOTONIC nanoseconds of the flow's last packet.
        public var lastPacketNanoseconds: UInt64
        /// The idle timeout the tracker applies to it, in seconds.
        public var timeoutSeconds: Int
        public init(flow: TrackedFlow, lastPacketNanoseconds: UInt64, timeoutSeconds: Int) {
            self.flow = flow
            self.lastPacketNanoseconds = lastPacketNanoseconds
            self.timeoutSeconds = timeoutSeconds
        }
        public var expiryNanoseconds: UInt64 { lastPacketNanoseconds &+ UInt64(timeoutSeconds) * 1_000_000_000 }
    }

    public struct Result: Sendable, Equatable {
        /// Lag of each idle flow whose deletion was seen, in seconds (negative: reclaimed early,
        /// e.g. evicted or early-dropped before its timeout).
        public var lagsSeconds: [Double]
        /// Idle flows with no deletion seen (still in the table, or deleted unseen).
        public var unseen: Int
        /// Deletions of flows the lab did not list as idle (other traffic's entries).
        public var unmatched: Int
        /// CLOCK_MONOTONIC span of the matched deletions (nil when fewer than two): how fast the
        /// tracker reclaimed the idle flows once it started.
        public var reclaimSpan: ClosedRange<UInt64>?

        /// Matched deletions per second over `reclaimSpan`.
        public var reclaimRate: Double? {
            guard let span = reclaimSpan, span.upperBound > span.lowerBound else { return nil }
            return Double(lagsSeconds.count) / (Double(span.upperBound - span.lowerBound) / 1e9)
        }
    }

    public static func compute(idle: [Idle], deletions: [TrackedDeletion]) -> Result {
        var expiries: [TrackedFlow: UInt64] = [:]
        expiries.reserveCapacity(idle.count)
        for flow in idle { expiries[flow.flow] = flow.expiryNanoseconds }
        var lags: [Double] = []
        lags.reserveCapacity(min(idle.count, deletions.count))
        var unmatched = 0
        var first = UInt64.max
        var last = UInt64.min
        for deletion in deletions {
            guard let expiry = expiries.removeValue(forKey: deletion.flow) else {
                unmatched += 1
                continue
            }
            lags.append((Double(deletion.monotonicNanoseconds) - Double(expiry)) / 1e9)
            first = min(first, deletion.monotonicNanoseconds)
            last = max(last, deletion.monotonicNanoseconds)
        }
        return Result(lagsSeconds: lags, unseen: expiries.count, unmatched: unmatched,
                      reclaimSpan: lags.count >= 2 ? first...last : nil)
    }
}
