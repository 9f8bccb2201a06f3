import Foundation
import LabConntrack
import LabNetlink
import LabSystem
import LabTestSupport
import Testing

extension KernelTests {
    /// A destroy-event socket that overflows must say so: lost events would otherwise look like
    /// entries never reclaimed in the GC lag.
    @Suite("nf_conntrack destroy-event overruns")
    struct ConntrackEventOverrunTests {
        @Test("a receive buffer too small for a flush counts the overrun and the lost messages")
        func overrunIsCounted() throws {
            try ConntrackNamespace.with("overrun") { namespace in
                try LoopbackFlows.track(in: namespace)
                // The reader is not started yet: the kernel queues events into a tiny buffer and drops the rest.
                let stream = try DestroyEventStream(namespace: namespace.name, bufferBytes: 4096)
                defer { stream.stop() }
                let sent = try namespace.sendUDP(toPorts: 10_000...12_999)
                #expect(sent == 3000)
                try namespace.run("conntrack", ["-F"])
                stream.start()
                Thread.sleep(forTimeInterval: 0.5)
                let health = stream.health
                let received = stream.drain().count
                #expect(health.overruns >= 1)
                #expect(health.droppedMessages > 0)
                #expect(!health.isComplete)
                // Every event was either received or counted lost.
                #expect(UInt64(received) + health.droppedMessages >= 3000, "received \(received), dropped \(health.droppedMessages)")
            }
        }
    }
}

/// Makes the namespace track its loopback traffic: nf_conntrack registers its hooks in a namespace
/// only once a rule there uses it.
enum LoopbackFlows {
    static func track(in namespace: ConntrackNamespace) throws {
        try Subprocess.run(Command("nft", ["-f", "-"]).inNamespace(namespace.name), input: """
            table ip bltrack {
                chain out { type filter hook output priority 0; ct state new counter; }
            }
            """, timeout: 20).requireSuccess("track loopback flows")
    }
}
