import Foundation
import LabConntrack
import LabNetlink
import LabSystem
import LabTestSupport
import Testing

extension KernelTests {
    /// Measurements and fixture capture, run on request only (they print figures; nothing is asserted
    /// about speed): BENCHLAB_CONNTRACK_BENCH=1, and BENCHLAB_CONNTRACK_CAPTURE=<directory>.
    @Suite("nf_conntrack netlink measurements")
    struct ConntrackNetlinkMeasurements {
        static let environment = ProcessInfo.processInfo.environment

        @Test("stats read cost and destroy-event rate", .enabled(if: environment["BENCHLAB_CONNTRACK_BENCH"] != nil))
        func measure() throws {
            try ConntrackNamespace.with("bench") { namespace in
                try LoopbackFlows.track(in: namespace)
                let reader = try ConntrackStatsReader(namespace: namespace.name)
                // Opened before the flows exist: it turns on the namespace's events and timestamps, which act at creation.
                let tracker = try NfConntrackTracker(namespace: namespace.name)
                defer { tracker.stop() }
                let flows = 60_000
                _ = try namespace.sendUDP(toPorts: 1...UInt16(flows))
                let (_, countMs) = try MonotonicClock.measure { for _ in 0..<2000 { _ = try reader.tableCount() } }
                let (_, cpuMs) = try MonotonicClock.measure { for _ in 0..<500 { _ = try reader.perCPU() } }
                let (_, toolMs) = try MonotonicClock.measure { for _ in 0..<20 { _ = try namespace.toolCount() } }
                print("conntrack-bench: entries=\(try reader.tableCount().entries) table count \(countMs / 2000 * 1000) us/read, per-CPU \(cpuMs / 500 * 1000) us/read, conntrack -C \(toolMs / 20) ms/run")

                // A flush: every entry's destroy event at once. The kernel stamps each with its
                // deletion, so received − stamp is how long the event queued.
                _ = try tracker.startDeletionLog()
                let (_, flushMs) = try MonotonicClock.measure { _ = try namespace.run("conntrack", ["-F"]) }
                let flushed = try Self.collect(flows, from: tracker, seconds: 30)
                let health = try #require(tracker.deletionLogHealth)
                let queued = flushed.compactMap { Self.delay($0) }.map { $0 * 1000 }
                print("conntrack-bench: flush of \(flows) took \(flushMs) ms; \(flushed.count) events, queued p50 \(Self.percentile(queued, 0.5)) ms, max \(queued.max() ?? 0) ms, \(Self.rate(flushed)) events/s; overruns \(health.overruns), dropped \(health.droppedMessages)")

                // Expiry: the kernel's collector reclaims what times out; received − stamp is its lag.
                try namespace.sysctl("net.netfilter.nf_conntrack_udp_timeout", "1")
                let sentAt = MonotonicClock.nanoseconds()
                _ = try namespace.sendUDP(toPorts: 1...UInt16(flows))
                let sentEnd = MonotonicClock.nanoseconds()
                let reclaimed = try Self.collect(flows, from: tracker, seconds: 90)
                let after = try #require(tracker.deletionLogHealth)
                let lags = reclaimed.compactMap { Self.delay($0) }
                let empty = reclaimed.map(\.receivedNanoseconds).max().map { Double($0 - sentEnd) / 1e9 - 1 } ?? -1
                print("conntrack-bench: expiry of \(flows) (sent in \(Double(sentEnd - sentAt) / 1e6) ms, timeout 1 s): \(reclaimed.count) events, GC lag p50 \(Self.percentile(lags, 0.5)) s p99 \(Self.percentile(lags, 0.99)) s max \(lags.max() ?? 0) s, empty \(empty) s after the last expiry, \(Self.rate(reclaimed)) events/s while reclaiming; overruns \(after.overruns), dropped \(after.droppedMessages), without stamp \(after.withoutKernelStamp), count now \(try reader.tableCount().entries)")
            }
        }

        static func collect(_ count: Int, from tracker: NfConntrackTracker, seconds: Double) throws -> [ReceivedDeletion] {
            var records: [ReceivedDeletion] = []
            let deadline = Deadline(secondsFromNow: seconds)
            while records.count < count, !deadline.hasPassed {
                records += tracker.drainDeletionRecords()
                Thread.sleep(forTimeInterval: 0.01)
            }
            return records
        }

        /// Seconds from the kernel's stamp to the event's arrival.
        static func delay(_ record: ReceivedDeletion) -> Double? {
            record.kernelStopNanoseconds.map { Double(Int64(record.receivedNanoseconds) - Int64($0)) / 1e9 }
        }

        static func percentile(_ values: [Double], _ p: Double) -> Double {
            let sorted = values.sorted()
            return sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
        }

        /// Events per second between the first and the last received.
        static func rate(_ records: [ReceivedDeletion]) -> Double {
            guard let first = records.map(\.receivedNanoseconds).min(), let last = records.map(\.receivedNanoseconds).max(), last > first else { return 0 }
            return Double(records.count) / (Double(last - first) / 1e9)
        }

        @Test("capture fixtures", .enabled(if: environment["BENCHLAB_CONNTRACK_CAPTURE"] != nil))
        func capture() throws {
            let directory = try #require(Self.environment["BENCHLAB_CONNTRACK_CAPTURE"])
            try ConntrackNamespace.with("capture") { namespace in
                let tracker = try NfConntrackTracker(namespace: namespace.name)
                defer { tracker.stop() }
                try namespace.insertUDP(sourcePort: 4242, timeout: 300)
                try namespace.run("conntrack", ["-I", "-p", "tcp", "-s", "198.18.0.5", "-d", "198.18.1.9", "--sport", "40000",
                                                "--dport", "443", "--state", "ESTABLISHED", "-t", "300"])
                try namespace.run("conntrack", ["-I", "-p", "icmp", "-s", "198.18.0.7", "-d", "198.18.1.1", "--icmp-type", "8",
                                                "--icmp-code", "0", "--icmp-id", "77", "-t", "300"])
                let reader = try ConntrackStatsReader(namespace: namespace.name)
                let replies = try reader.rawReplies()
                try Data(replies.tableCount).write(to: URL(fileURLWithPath: "\(directory)/ct-stats-count.bin"))
                try Data(replies.perCPU).write(to: URL(fileURLWithPath: "\(directory)/ct-stats-cpu.bin"))
                let stream = try DestroyEventStream(namespace: namespace.name)
                try namespace.run("conntrack", ["-F"])
                let datagrams = try stream.captureRaw(count: 3, seconds: 5)
                try Data(datagrams.flatMap { $0 }).write(to: URL(fileURLWithPath: "\(directory)/ct-destroy-events.bin"))
                print("conntrack-capture: count \(replies.tableCount.count) B, per-CPU \(replies.perCPU.count) B, \(datagrams.count) events \(datagrams.map(\.count)) B")
            }
        }
    }
}
