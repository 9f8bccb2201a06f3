import Testing
@testable import LabTraffic

/// The failover's timing from the prober's attempts: the switch is timed from when the links were
/// down, and the losses counted from when the failure was asked for.
@Suite("Failover timing")
struct FailoverTimingTests {
    func attempt(_ start: UInt64, _ end: UInt64, _ ok: Bool) -> FailoverProber.Attempt {
        FailoverProber.Attempt(startedNanoseconds: start * 1_000_000, endedNanoseconds: end * 1_000_000, succeeded: ok)
    }

    @Test("recovery is the first success started after the links went down; failures count from the request")
    func recovery() {
        let attempts = [
            attempt(0, 1, true),        // before the failure: not counted
            attempt(99, 101, true),     // started before the request, ended after it: counted, but no recovery
            attempt(101, 102, true),    // started between request and down: may have used the old gateway
            attempt(106, 406, false),   // lost while the nodes still route through the failed gateway
            attempt(111, 411, false),
            attempt(500, 502, true),    // through the standby
            attempt(505, 506, true),
        ]
        let timing = FailoverTiming(attempts, requestedAt: 100_000_000, downAt: 105_000_000)
        #expect(timing.attemptsAfter == 6)
        #expect(timing.failedAfter == 2)
        #expect(timing.recoveryMilliseconds == 397)
    }

    @Test("no success after the failure is no recovery, not zero")
    func noRecovery() {
        let timing = FailoverTiming([attempt(0, 1, true), attempt(110, 410, false)], requestedAt: 100_000_000, downAt: 105_000_000)
        #expect(timing.recoveryMilliseconds == nil)
        #expect(timing.failedAfter == 1)
    }
}
