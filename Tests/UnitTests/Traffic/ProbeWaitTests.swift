import Testing
@testable import LabTraffic

/// A silence counts as "denied" only after a wait the run's own answers show to be long enough.
@Suite("Adaptive probe wait")
struct ProbeWaitTests {
    static func answered(_ ms: Double) -> ProbeObservation { ProbeObservation(.allowed, latencyMicroseconds: ms * 1000) }
    static let silent = ProbeObservation(.denied)
    static let quick = ProbeRun.quickTimeout

    @Test("fast answers: the short wait's silences stand")
    func fast() {
        #expect(ProbeRun.nextWait(after: [Self.answered(0.2), Self.silent, Self.answered(3)], waited: Self.quick) == nil)
        #expect(ProbeRun.slowestAnswer([Self.answered(0.2), Self.answered(3)]) == 3)
    }

    @Test("an answer slower than a quarter of the wait: recheck with at least the full timeout")
    func slow() {
        let limit = Self.quick * 1000 * ProbeRun.trustedShare
        #expect(ProbeRun.nextWait(after: [Self.answered(limit), Self.silent], waited: Self.quick) == nil)
        #expect(ProbeRun.nextWait(after: [Self.answered(limit + 1), Self.silent], waited: Self.quick) == ProbeRun.timeout)
    }

    @Test("a very slow answer asks for four times itself, capped at the longest wait")
    func verySlow() {
        #expect(ProbeRun.nextWait(after: [Self.answered(120), Self.silent], waited: Self.quick) == 0.48)
        #expect(ProbeRun.nextWait(after: [Self.answered(120), Self.silent], waited: 0.48) == nil)
        #expect(ProbeRun.nextWait(after: [Self.answered(900), Self.silent], waited: Self.quick) == ProbeRun.longestWait)
        #expect(ProbeRun.nextWait(after: [Self.answered(900), Self.silent], waited: ProbeRun.longestWait) == nil)
    }

    @Test("nothing answered: the full timeout at least; nothing silent: nothing to recheck")
    func edges() {
        #expect(ProbeRun.nextWait(after: [Self.silent, Self.silent], waited: Self.quick) == ProbeRun.timeout)
        #expect(ProbeRun.nextWait(after: [Self.silent], waited: ProbeRun.timeout) == nil)
        #expect(ProbeRun.nextWait(after: [Self.answered(200)], waited: Self.quick) == nil)
        #expect(ProbeRun.nextWait(after: [ProbeObservation(.error, "unreachable")], waited: Self.quick) == nil)
    }
}
