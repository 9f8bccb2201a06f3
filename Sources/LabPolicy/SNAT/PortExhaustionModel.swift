import Foundation

/// The textbook model of SNAT port exhaustion the `snat-exhaustion` scenario is measured against: a new
/// connection to one {remote address, port} needs a source port not already used toward it; the
/// allocator tries `tries` ports at random (Cilium: 128, `SNAT_COLLISION_RETRIES`), so with `occupied`
/// of `range` ports taken it fails with probability (occupied / range)^tries.
///
/// Where the kernels differ from it, the report says so: netfilter probes *sequentially* from a random
/// offset (128, then 64, 32 and 16 from fresh offsets; nf_nat_l4proto_unique_tuple), which fails
/// later than independent tries when used ports are scattered and sooner when they cluster; and any
/// allocator fails with certainty once every port is taken.
public enum PortExhaustionModel {
    /// Cilium's and the lab's BPF NAT's number of random tries.
    public static let ciliumTries = 128

    /// P(fail) for one new connection with `occupied` of `range` ports in use.
    public static func failureProbability(occupied: Int, range: Int, tries: Int) -> Double {
        guard range > 0 else { return 1 }
        let taken = Double(min(max(occupied, 0), range))
        return pow(taken / Double(range), Double(max(tries, 1)))
    }

    /// The expected share of `attempts` new connections, opened one after the other into a range with
    /// `initiallyOccupied` ports in use and none released, that fail: each success takes a port, so
    /// occupancy grows by the chance the attempt succeeded.
    public static func expectedFailureShare(attempts: Int, range: Int, tries: Int, initiallyOccupied: Int = 0) -> Double {
        guard attempts > 0 else { return 0 }
        var occupied = Double(initiallyOccupied)
        var failures = 0.0
        for _ in 0..<attempts {
            let p = range > 0 ? pow(min(occupied / Double(range), 1), Double(max(tries, 1))) : 1
            failures += p
            occupied += 1 - p
        }
        return failures / Double(attempts)
    }
}
