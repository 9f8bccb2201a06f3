import LabConntrack
import LabPolicy
import Testing

@Suite("Sweep interval")
struct SweepIntervalTests {
    let settings = SweepSettings(mode: .adaptive, intervalMilliseconds: 1000, floorMilliseconds: 100, ceilingMilliseconds: 10_000)

    @Test("a sweep that deleted over a quarter shortens the wait by the deleted share")
    func shortens() {
        #expect(SweepInterval.next(after: 1000, examined: 100, deleted: 40, settings: settings) == 600)
        #expect(SweepInterval.next(after: 1000, examined: 100, deleted: 26, settings: settings) == 740)
    }

    @Test("a sweep that deleted under 5% grows the wait by half; nothing examined counts as nothing deleted")
    func grows() {
        #expect(SweepInterval.next(after: 1000, examined: 100, deleted: 4, settings: settings) == 1500)
        #expect(SweepInterval.next(after: 1000, examined: 0, deleted: 0, settings: settings) == 1500)
    }

    @Test("between 5% and 25% (both ends included) the wait stays")
    func stays() {
        #expect(SweepInterval.next(after: 1000, examined: 100, deleted: 5, settings: settings) == 1000)
        #expect(SweepInterval.next(after: 1000, examined: 100, deleted: 25, settings: settings) == 1000)
    }

    @Test("the floor and ceiling bound the wait")
    func bounded() {
        #expect(SweepInterval.next(after: 150, examined: 100, deleted: 100, settings: settings) == 100)
        #expect(SweepInterval.next(after: 8000, examined: 100, deleted: 0, settings: settings) == 10_000)
    }

    @Test("fixed mode always waits the configured interval")
    func fixed() {
        var fixed = settings
        fixed.mode = .fixed
        #expect(SweepInterval.next(after: 300, examined: 100, deleted: 90, settings: fixed) == 1000)
    }
}
