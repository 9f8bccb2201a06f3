import Testing
@testable import LabTraffic

/// The short probe wait is trusted only when the run's own answers show it is long enough.
@Suite("Adaptive probe wait")
struct ProbeWaitTests {
    static func answered(_ ms: Double) -> ProbeObservation { ProbeObservation(.allowed, latencyMicroseconds: ms * 1000) }
    static let silent = ProbeObservation(.denied)

    @Test("fast answers: the short wait's silences stand")
    func fast() {
        #expect(ProbeRun.silencesToRecheck([Self.answered(0.2), Self.silent, Self.answered(3), Self.silent]).isEmpty)
        #expect(ProbeRun.slowestAnswer([Self.answered(0.2), Self.answered(3)]) == 3)
    }

    @Test("one answer slower than a quarter of the short wait: every silence is checked again")
    func slow() {
        let limit = ProbeRun.quickTimeout * 1000 * ProbeRun.trustedShare
        #expect(ProbeRun.silencesToRecheck([Self.answered(limit), Self.silent]).isEmpty)
        #expect(ProbeRun.silencesToRecheck([Self.answered(limit + 0.5), Self.silent, Self.answered(1), Self.silent]) == [1, 3])
    }

    @Test("nothing answered: nothing showed the short wait is enough")
    func noAnswer() {
        #expect(ProbeRun.silencesToRecheck([Self.silent, Self.silent]) == [0, 1])
        #expect(ProbeRun.slowestAnswer([Self.silent]) == nil)
    }

    @Test("errors are neither answers nor silences")
    func errors() {
        #expect(ProbeRun.silencesToRecheck([ProbeObservation(.error, "unreachable"), Self.silent]) == [1])
    }
}
