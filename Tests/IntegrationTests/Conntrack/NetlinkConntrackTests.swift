import Foundation
import LabConntrack
import LabNetlink
import LabNetwork
import LabSystem
import LabTestSupport
import Testing

extension KernelTests {
    /// LabNetlink against the real kernel in a lab namespace: its count and statistics are what
    /// `conntrack -C` / `conntrack -S` print there, and destroy events arrive, timed by the kernel,
    /// for entries deleted by hand and for entries that expired.
    @Suite("nf_conntrack over netlink")
    struct NetlinkConntrackTests {
        @Test("count and per-CPU statistics agree with conntrack -C and conntrack -S in the namespace; a flush empties it")
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

                try ConntrackFlush.flush(namespace: namespace.name)
                #expect(try reader.tableCount().entries == 0)
                #expect(try namespace.toolCount() == 0)
            }
        }

        @Test("one reader asked from two threads at once answers every request (requests are serialized on its socket)")
        func concurrentReads() throws {
            try ConntrackNamespace.with("concurrent") { namespace in
                for port in UInt16(2000)..<2010 { try namespace.insertUDP(sourcePort: port, timeout: 300) }
                let reader = try ConntrackStatsReader(namespace: namespace.name)
                let failures = Counter()
                DispatchQueue.concurrentPerform(iterations: 4) { thread in
                    for _ in 0..<200 {
                        do {
                            if thread % 2 == 0 { _ = try reader.tableCount() } else { _ = try reader.perCPU() }
                        } catch {
                            failures.add()
                        }
                    }
                }
                #expect(failures.value == 0)
            }
        }

        final class Counter: @unchecked Sendable {
            private let lock = NSLock()
            private var count = 0
            func add() { lock.lock(); count += 1; lock.unlock() }
            var value: Int { lock.lock(); defer { lock.unlock() }; return count }
        }

        @Test("destroy events arrive for deleted and for expired entries, with the kernel's stamps")
        func destroyEventsForDeletedAndExpiredEntries() throws {
            try ConntrackNamespace.with("events") { namespace in
                let tracker = try NfConntrackTracker(namespace: namespace.name)
                defer { tracker.stop() }
                #expect(tracker.kernelTimestamps)
                #expect(try tracker.startDeletionLog())
                // Expiring: real UDP flows on loopback under a 2 s UDP timeout set in the namespace.
                try namespace.sysctl("net.netfilter.nf_conntrack_udp_timeout", "2")
                try LoopbackFlows.track(in: namespace)
                let expiring = UInt16(2000)...2009
                let sentStart = MonotonicClock.nanoseconds()
                #expect(try namespace.sendUDP(toPorts: expiring) == expiring.count)
                // Deleted by hand, long before they would expire.
                let deleted = UInt16(3000)..<3010
                for port in deleted { try namespace.insertUDP(sourcePort: port, timeout: 300) }
                let deleteStart = MonotonicClock.nanoseconds()
                for port in deleted { try namespace.deleteUDP(sourcePort: port) }
                let deleteEnd = MonotonicClock.nanoseconds()

                // The kernel's GC worker is shared by every namespace and waits up to 60 s between
                // scans when the host's entries are long-lived: expired entries may linger that long.
                var seen: [TrackedFlow: ReceivedDeletion] = [:]
                let expired = { seen.filter { $0.key.source == IPv4Address("127.0.0.1") && expiring.contains($0.key.destinationPort) } }
                let deadline = Deadline(secondsFromNow: 75)
                while seen.count < deleted.count + expiring.count || expired().count < expiring.count, !deadline.hasPassed {
                    for deletion in tracker.drainDeletionRecords() { seen[deletion.flow] = deletion }
                    Thread.sleep(forTimeInterval: 0.05)
                }
                let end = MonotonicClock.nanoseconds()
                for port in deleted {
                    let deletion = try #require(seen[ConntrackNamespace.udpFlow(sourcePort: port)], "no destroy event for deleted port \(port)")
                    let stop = try #require(deletion.kernelStopNanoseconds)
                    // Deleted by hand: the kernel's stamp is the deletion, and the event follows it.
                    #expect(stop >= deleteStart && stop <= deleteEnd, "deleted \(port) at \(stop), outside [\(deleteStart), \(deleteEnd)]")
                    #expect(deletion.receivedNanoseconds >= stop && deletion.receivedNanoseconds <= end)
                }
                let expiredFlows = expired()
                #expect(expiredFlows.count == expiring.count, "expired flows seen: \(expiredFlows.keys.map(\.description).sorted())")
                for (flow, deletion) in expiredFlows {
                    let stop = try #require(deletion.kernelStopNanoseconds)
                    // The kernel's stamp is the expiry, 2 s after the packet (its timeouts are jiffies,
                    // counted from the tick before the packet: up to 4 ms early at HZ=250); the event
                    // comes when the collector deletes the entry, not before the expiry.
                    #expect(stop + 10_000_000 >= sentStart + 2_000_000_000, "\(flow) expired \(Double(Int64(stop) - Int64(sentStart)) / 1e9) s after sending began")
                    #expect(deletion.receivedNanoseconds >= stop && deletion.receivedNanoseconds <= end)
                }
                let lags = expiredFlows.values.map { Double($0.receivedNanoseconds - ($0.kernelStopNanoseconds ?? 0)) / 1e9 }
                print("nf_conntrack GC: 10 idle UDP flows (2 s timeout) reclaimed \(lags.min() ?? 0)–\(lags.max() ?? 0) s after they expired")
                let health = try #require(tracker.deletionLogHealth)
                #expect(health.isComplete)
                #expect(health.received == deleted.count + expiring.count)
                #expect(health.withoutKernelStamp == 0)
                #expect(try tracker.occupancy() == 0)
                tracker.stop()
                tracker.stop()
            }
        }
    }
}
