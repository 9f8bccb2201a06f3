import Foundation
import LabConntrack
import LabNetlink
import LabSystem
import LabTestSupport
import Testing

extension KernelTests {
    /// LabNetlink against the real kernel in a lab namespace: its count and statistics are what
    /// `conntrack -C` / `conntrack -S` print there, and destroy events arrive, timed by the kernel,
    /// for entries deleted by hand and for entries that expired.
    @Suite("nf_conntrack over netlink")
    struct NetlinkConntrackTests {
        @Test("count and per-CPU statistics agree with conntrack -C and conntrack -S in the namespace")
        func countAndStatisticsAgreeWithTheTool() throws {
            try ConntrackNamespace.with("stats") { namespace in
                let tracker = try NfConntrackTracker(namespace: namespace.name)
                defer { tracker.stop() }
                for port in UInt16(1000)..<1020 { try namespace.insertUDP(sourcePort: port, timeout: 300) }

                let reader = try ConntrackStatsReader(namespace: namespace.name)
                let count = try reader.tableCount()
                #expect(count.entries == 20)
                #expect(count.entries == (try namespace.toolCount()))
                let limit = try String(contentsOfFile: "/proc/sys/net/netfilter/nf_conntrack_max", encoding: .utf8)
                #expect(count.maxEntries == Int(limit.trimmingCharacters(in: .whitespacesAndNewlines)))

                // conntrack -S reads the same counters; nothing else runs in the namespace to move them.
                let tool = try namespace.toolStatistics()
                let cpus = try reader.perCPU()
                #expect(cpus.count == tool.count)
                for cpu in cpus {
                    let printed = try #require(tool[cpu.cpu], "conntrack -S has no line for cpu \(cpu.cpu)")
                    for name in ConntrackStatistic.names {
                        #expect(cpu.counters[name] == (printed[name] ?? 0), "cpu \(cpu.cpu) \(name)")
                    }
                }
                #expect(try tracker.occupancy() == 20)
                #expect(try tracker.capacity() == count.maxEntries)
                let statistics = try tracker.statistics()
                #expect(Set(statistics.keys) == Set(ConntrackStatistic.names))
                // Counted since the tracker opened: the twenty ctnetlink inserts.
                #expect(statistics["insert"] == 20)
            }
        }

        @Test("destroy events arrive for deleted and for expired entries, with the kernel's deletion time")
        func destroyEventsForDeletedAndExpiredEntries() throws {
            try ConntrackNamespace.with("events") { namespace in
                let tracker = try NfConntrackTracker(namespace: namespace.name)
                defer { tracker.stop() }
                #expect(tracker.kernelTimestamps)
                #expect(try tracker.startDeletionLog())
                let inserted = MonotonicClock.nanoseconds()
                let expiring = UInt16(2000)..<2010
                let deleted = UInt16(3000)..<3010
                for port in expiring { try namespace.insertUDP(sourcePort: port, timeout: 2) }
                for port in deleted { try namespace.insertUDP(sourcePort: port, timeout: 300) }

                let deleteStart = MonotonicClock.nanoseconds()
                for port in deleted { try namespace.deleteUDP(sourcePort: port) }
                let deleteEnd = MonotonicClock.nanoseconds()

                var seen: [TrackedFlow: UInt64] = [:]
                let deadline = Deadline(secondsFromNow: 40)
                while seen.count < 20, !deadline.hasPassed {
                    for deletion in try tracker.drainDeletions() { seen[deletion.flow] = deletion.monotonicNanoseconds }
                    Thread.sleep(forTimeInterval: 0.05)
                }
                let end = MonotonicClock.nanoseconds()
                for port in deleted {
                    let time = try #require(seen[ConntrackNamespace.udpFlow(sourcePort: port)], "no destroy event for deleted port \(port)")
                    #expect(time >= deleteStart && time <= deleteEnd, "deleted \(port) at \(time), outside [\(deleteStart), \(deleteEnd)]")
                }
                for port in expiring {
                    let time = try #require(seen[ConntrackNamespace.udpFlow(sourcePort: port)], "no destroy event for expired port \(port)")
                    // Not before its 2 s timeout ran out; not after we saw it.
                    #expect(time >= inserted + 2_000_000_000 && time <= end, "expired \(port) at \(time)")
                }
                let health = try #require(tracker.deletionLogHealth)
                #expect(health.isComplete)
                #expect(health.received == 20)
                #expect(health.receiveTimed == 0)
                #expect(try tracker.occupancy() == 0)
                tracker.stop()
                tracker.stop()
            }
        }
    }
}
