import Foundation
import LabReport
import LabResults
import LabRunner
import LabSystem

/// Prints a run's progress to stderr (stdout stays the report path, for scripts).
final class ProgressPrinter: RunObserver {
    let quiet: Bool
    private var started = MonotonicClock.seconds()
    private var stepStart = MonotonicClock.seconds()
    private var progress = ProgressLine(totalSteps: 0)

    init(quiet: Bool) { self.quiet = quiet }

    func runStarted(directory: String, plan: RunPlan) {
        started = MonotonicClock.seconds()
        progress = ProgressLine(totalSteps: plan.steps.count)
        log("results: \(directory) (\(plan.cases.count) cases × \(plan.rounds) rounds)")
    }

    func stepStarted(_ step: RunPlan.Step, plan: RunPlan) {
        stepStart = MonotonicClock.seconds()
        let position = ProgressPosition(caseNumber: step.caseIndex + 1, caseCount: plan.cases.count,
                                        caseId: plan.cases[step.caseIndex].id,
                                        repeatNumber: step.warmup ? step.round + 1 : step.round - plan.warmup + 1,
                                        repeatCount: step.warmup ? plan.warmup : plan.repeats, isWarmup: step.warmup)
        log(progress.line(position, elapsedSeconds: stepStart - started))
    }

    func stepFinished(_ step: RunPlan.Step, plan: RunPlan, failure: String?) {
        progress.stepFinished(seconds: MonotonicClock.seconds() - stepStart)
        if let failure { log("  failed: \(failure)") }
    }

    func finished(_ result: RunResult, outputs: RunOutputs.Written) {
        for failed in result.failedCases { log("case \(failed.id) failed: \(failed.reason ?? "no reason recorded")") }
        log("finished in \(ProgressLine.clock(MonotonicClock.seconds() - started)); report:")
        print(outputs.report)
    }

    private func log(_ text: String) {
        guard !quiet else { return }
        FileHandle.standardError.write(Data("\(text)\n".utf8))
    }
}
