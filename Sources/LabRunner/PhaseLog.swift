import LabResults
import LabSystem

/// The wall time of each phase of one round, so a run can say where its time went (issue 7: the
/// share spent inside traffic windows is what makes a lab worth its wall-clock time).
struct PhaseLog {
    private(set) var records: [PhaseRecord] = []

    /// Times `body` as phase `name`; a phase that throws is not recorded (its round failed).
    mutating func time<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        let start = MonotonicClock.nanoseconds()
        let result = try body()
        record(name, since: start)
        return result
    }

    mutating func record(_ name: String, since start: UInt64) {
        append(name, milliseconds: Double(MonotonicClock.nanoseconds() &- start) / 1e6)
    }

    mutating func append(_ name: String, milliseconds: Double) {
        records.append(PhaseRecord(name: name, milliseconds: milliseconds))
    }
}
