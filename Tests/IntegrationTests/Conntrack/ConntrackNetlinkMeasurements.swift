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

                // A flush: every entry's destroy event at once.
                _ = try tracker.startDeletionLog()
                let (_, flushMs) = try MonotonicClock.measure { _ = try namespace.run("conntrack", ["-F"]) }
                var received = 0
                let start = MonotonicClock.nanoseconds()
                var last = start
                let deadline = Deadline(secondsFromNow: 30)
                while received < flows, !deadline.hasPassed {
                    let batch = try tracker.drainDeletions().count
                    if batch > 0 { last = MonotonicClock.nanoseconds() }
                    received += batch
                    Thread.sleep(forTimeInterval: 0.01)
                }
                let health = try #require(tracker.deletionLogHealth)
                print("conntrack-bench: flush of \(flows) took \(flushMs) ms; received \(received) events, drained within \(Double(last - start) / 1e6) ms after it; overruns \(health.overruns), dropped \(health.droppedMessages)")

                // Expiry: GC reclaims what times out, events timed by the kernel.
                try namespace.sysctl("net.netfilter.nf_conntrack_udp_timeout", "1")
                let sentAt = MonotonicClock.nanoseconds()
                _ = try namespace.sendUDP(toPorts: 1...UInt16(flows))
                let sentEnd = MonotonicClock.nanoseconds()
                var times: [UInt64] = []
                let expiryDeadline = Deadline(secondsFromNow: 60)
                while times.count < flows, !expiryDeadline.hasPassed {
                    times += try tracker.drainDeletions().map(\.monotonicNanoseconds)
                    Thread.sleep(forTimeInterval: 0.05)
                }
                let after = try #require(tracker.deletionLogHealth)
                let sorted = times.sorted()
                if let first = sorted.first, let lastTime = sorted.last {
                    let span = Double(lastTime - first) / 1e9
                    print("conntrack-bench: expiry of \(flows) (sent in \(Double(sentEnd - sentAt) / 1e6) ms, timeout 1 s): \(times.count) events, first \(Double(first - sentAt) / 1e9) s after sending began, last \(Double(lastTime - sentAt) / 1e9) s, \(Double(times.count) / max(span, 1e-9)) events/s; overruns \(after.overruns), dropped \(after.droppedMessages), receive-timed \(after.receiveTimed), count now \(try reader.tableCount().entries)")
                }
            }
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
