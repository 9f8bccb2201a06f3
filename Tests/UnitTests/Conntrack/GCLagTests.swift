import LabConntrack
import LabNetwork
import Testing

@Suite("GC lag")
struct GCLagTests {
    func flow(_ port: UInt16) -> TrackedFlow {
        TrackedFlow(proto: 17, source: IPv4Address("198.18.0.1")!, destination: IPv4Address("198.18.0.6")!,
                    sourcePort: port, destinationPort: 4000)
    }

    @Test("lag is deletion time minus expiry (last packet + timeout); unseen and unmatched are counted")
    func joins() {
        let second: UInt64 = 1_000_000_000
        let idle = [GCLag.Idle(flow: flow(1), lastPacketNanoseconds: 10 * second, timeoutSeconds: 5),
                    GCLag.Idle(flow: flow(2), lastPacketNanoseconds: 10 * second, timeoutSeconds: 5),
                    GCLag.Idle(flow: flow(3), lastPacketNanoseconds: 10 * second, timeoutSeconds: 5)]
        let deletions = [TrackedDeletion(flow: flow(2), monotonicNanoseconds: 17 * second),
                         TrackedDeletion(flow: flow(1), monotonicNanoseconds: 15 * second + second / 2),
                         TrackedDeletion(flow: flow(9), monotonicNanoseconds: 16 * second)]
        let result = GCLag.compute(idle: idle, deletions: deletions)
        #expect(result.lagsSeconds == [2.0, 0.5])
        #expect(result.unseen == 1)
        #expect(result.unmatched == 1)
        #expect(result.reclaimSpan == (15 * second + second / 2)...(17 * second))
        #expect(abs((result.reclaimRate ?? 0) - 2 / 1.5) < 1e-9)
    }

    @Test("an entry reclaimed before its timeout has a negative lag; a second deletion of a flow is unmatched")
    func early() {
        let second: UInt64 = 1_000_000_000
        let result = GCLag.compute(idle: [GCLag.Idle(flow: flow(1), lastPacketNanoseconds: 10 * second, timeoutSeconds: 30)],
                                   deletions: [TrackedDeletion(flow: flow(1), monotonicNanoseconds: 20 * second),
                                               TrackedDeletion(flow: flow(1), monotonicNanoseconds: 21 * second)])
        #expect(result.lagsSeconds == [-20.0])
        #expect(result.unmatched == 1)
    }
}
