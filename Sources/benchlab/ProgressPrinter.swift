import Foundation
import LabResults
import LabRunner
import LabSystem

/// Prints a run's progress to stderr (so stdout stays the result path for scripts).
final class ProgressPrinter: RunObserver {
    let quiet: Bool
    private var started = MonotonicClock.seconds()
    private var stepDurations: [Double] = []
    private var stepStart = MonotonicClock.seconds()

    init(quiet: Bool) { self.quiet = quiet }

    func runStarted(directory: String, steps: Int) {
        started = MonotonicClock.seconds()
        log("results: \(directory) (\(steps) steps)")
    }

    func stepStarted(_ index: Int, of total: Int, caseId: String, round: Int, rounds: Int, warmup: Bool) {
        stepStart = MonotonicClock.seconds()
        let elapsed = stepStart - started
        let eta = stepDurations.isEmpty ? "" : ", ETA \(Self.clock(stepDurations.reduce(0, +) / Double(stepDurations.count) * Double(total - index + 1)))"
        log("case \(index)/\(total) \(caseId) round \(round + 1)/\(rounds)\(warmup ? " (warm-up)" : "") — elapsed \(Self.clock(elapsed))\(eta)")
    }

    func stepFinished(_ index: Int, of total: Int, caseId: String, failure: String?) {
        stepDurations.append(MonotonicClock.seconds() - stepStart)
        if let failure { log("  failed: \(failure)") }
    }

    func finished(_ result: RunResult, outputs: RunOutputs.Written) {
        let seconds = MonotonicClock.seconds() - started
        for failed in result.failedCases { log("case \(failed.id) failed: \(failed.reason ?? "no reason recorded")") }
        log("finished in \(Self.clock(seconds))")
        print(outputs.report ?? result.runJSONPath)
    }

    private func log(_ text: String) {
        guard !quiet else { return }
        FileHandle.standardError.write(Data("\(text)\n".utf8))
    }

    static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return String(format: "%d:%02d", total / 60, total % 60)
    }
}
