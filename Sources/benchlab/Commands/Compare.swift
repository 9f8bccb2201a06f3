import ArgumentParser
import LabReport
import LabSystem

/// `benchlab compare <baseline> <current>`: the CI regression gate. Compares ratios taken within each
/// run (backend / none, eBPF / netfilter), which survive a change of machine far better than absolute
/// numbers, and fails only when a ratio moved beyond the threshold *and* outside its 95% interval.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare a run's within-run ratios against a baseline run.",
        discussion: """
        Prints a Markdown table fit for a pull-request comment (or JSON with --json). Exit status: 0 no \
        regression; 6 a regression; 7 the baseline is missing or unreadable; 8 the baseline cannot be \
        compared (other scenario or schema, no ratio in common); 2 bad arguments.
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

    func validate() throws {
        _ = try Threshold.parse(threshold)
    }

    func run() throws {
        let request = CompareRequest(baselinePath: baseline, currentPath: current,
                                     threshold: try Threshold.parse(threshold), metrics: metrics, json: json)
        let outcome = try BaselineComparison.run(request)
        print(outcome.output, terminator: "")
        // Printed first: the table is what a reviewer needs to see when the gate fails.
        if let failure = outcome.result.failure { throw failure }
    }
}
