import CLibBPF

/// The SNAT's per-CPU counters summed, by enum bl_nat_counter_index (bpf/include/nat_maps.h).
public struct NATCounters: Sendable, Equatable {
    public let values: [UInt64]

    public static let names = ["flows_translated", "packets_translated", "packets_reversed", "allocation_failed",
                               "dropped_unselected", "reverse_misses", "untranslatable", "tcp_invalid", "table_full",
                               "rewrite_failed", "passed_local", "passed_other"]

    public init(values: [UInt64]) {
        precondition(values.count == Self.names.count, "one value per counter")
        self.values = values
    }

    public subscript(index: bl_nat_counter_index) -> UInt64 { values[Int(index.rawValue)] }

    public var byName: [String: UInt64] { Dictionary(uniqueKeysWithValues: zip(Self.names, values)) }

    public var flowsTranslated: UInt64 { self[BL_NAT_FLOWS_TRANSLATED] }
    public var allocationFailures: UInt64 { self[BL_NAT_ALLOCATION_FAILED] }
    public var droppedUnselected: UInt64 { self[BL_NAT_DROPPED_UNSELECTED] }

    /// Packets the programs let through (translated either way, or left to the kernel).
    public var passed: UInt64 {
        self[BL_NAT_PACKETS_TRANSLATED] + self[BL_NAT_PACKETS_REVERSED] + self[BL_NAT_REVERSE_MISSES] + self[BL_NAT_PASSED_LOCAL]
            + self[BL_NAT_PASSED_OTHER]
    }

    /// Packets the programs dropped, whatever the reason.
    public var dropped: UInt64 {
        self[BL_NAT_ALLOCATION_FAILED] + self[BL_NAT_DROPPED_UNSELECTED] + self[BL_NAT_UNTRANSLATABLE] + self[BL_NAT_TCP_INVALID]
            + self[BL_NAT_TABLE_FULL] + self[BL_NAT_REWRITE_FAILED]
    }
}

/// The retries histogram's buckets (bl_nat_retries): the first try of each, in order; the last
/// bucket of the map counts failures and is not among these.
public enum NATRetryBuckets {
    public static let lowerBounds = [0, 1, 2, 3, 5, 9, 17, 33, 65]
}
