import ArgumentParser
import LabReport
import LabSystem

/// `benchlab compare <baseline> <current>`: the CI regression gate. By default it compares ratios taken
/// within each run (backend / none, eBPF / netfilter) against a committed baseline run, and fails only
/// when a ratio moved beyond the threshold *and* outside its 95% interval. With `--paired` it is the
/// A/B gate: base and candidate rounds run interleaved on one machine, compared round by round.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare a run against a baseline run, or a candidate against its base (--paired).",
        discussion: """
        Prints a Markdown table fit for a pull-request comment (or JSON with --json). With --paired, each \
        side is a run or a directory of per-round runs; round k of the base pairs with round k of the \
        candidate, and a primary metric is a regression when its geometric-mean change is beyond the \
        threshold in the harmful direction and an exact sign-flip test stays significant after \
        Benjamini-Hochberg at --fdr. Exit status: 0 no regression; 6 a regression; 7 the baseline is \
        missing or unreadable; 8 the baseline cannot be compared (other scenario or schema, no ratio in \
        common); 2 bad arguments.
        """)

    @Argument(help: "The baseline: a run directory or its run.json.")
    var baseline: String

    @Argument(help: "The run to judge: a run directory or its run.json.")
    var current: String

    @Option(help: "Relative change of a ratio to tolerate, e.g. 5% or 2.5%.")
    var threshold: String = Threshold.defaultText

    @Option(name: .customLong("metric"), help: "Compare only this metric; repeat for more.")
    var metrics: [String] = []

    @Flag(help: "Print the comparison as JSON instead of Markdown.")
    var json = false

    @Flag(help: "A/B mode: <baseline> is the base's rounds, <current> the candidate's, run interleaved.")
    var paired = false

    @Option(help: "False discovery rate over the gated metrics in --paired mode, e.g. 5%.")
    var fdr: String = Threshold.defaultText

    @Option(name: .customLong("confirm-args"), help: ArgumentHelp(
        "With --paired: write the run options that re-measure only the flagged cases to this file, one per line.",
        valueName: "file"))
    var confirmArgs: String?

    func validate() throws {
        _ = try Threshold.parse(threshold)
        _ = try Threshold.parse(fdr)
        if confirmArgs != nil && !paired { throw ValidationError("--confirm-args needs --paired") }
    }

    func run() throws {
        if paired { return try runPaired() }
        let request = CompareRequest(baselinePath: baseline, currentPath: current,
                                     threshold: try Threshold.parse(threshold), metrics: metrics, json: json)
        let outcome = try BaselineComparison.run(request)
        print(outcome.output, terminator: "")
        // Printed first: the table is what a reviewer needs to see when the gate fails.
        if let failure = outcome.result.failure { throw failure }
    }

    private func runPaired() throws {
        let request = PairedRequest(basePath: baseline, candidatePath: current, threshold: try Threshold.parse(threshold),
                                    fdr: try Threshold.parse(fdr), metrics: metrics, json: json)
        let outcome = try ABComparison.run(request)
        print(outcome.output, terminator: "")
        if let confirmArgs {
            let lines = ABComparison.confirmationArguments(outcome.report)
            try AtomicFile.write(lines.map { $0 + "\n" }.joined(), to: confirmArgs)
        }
        if let failure = outcome.report.failure { throw failure }
    }
}
