import ArgumentParser
import LabReport
import LabSystem

/// `benchlab calibrate <runs…>`: measures the A/B gate's false-alarm and detection rates on recorded
/// rounds of one build, so the gate's settings (rounds, threshold, FDR) rest on figures, not hope.
struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Estimate the A/B gate's false-alarm and detection rates from runs of one build.",
        discussion: """
        Splits the recorded rounds at random into a pseudo base and a pseudo candidate, runs the gate \
        (compare --paired) on each split, and counts splits that flag anything (false alarms); then makes \
        one gated measurement of the pseudo candidate worse by --slowdown and counts splits that catch it.
        """)

    @Argument(help: "Runs of one build: run directories, run.json files, or directories holding them.")
    var runs: [String]

    @Option(help: "Rounds on each side of a pseudo A/B job (default: half the recorded rounds).")
    var rounds: Int?

    @Option(help: "Pseudo A/B jobs to run.")
    var splits = 200

    @Option(help: "Slowdown injected into one gated measurement of the pseudo candidate, e.g. 15%.")
    var slowdown = "15%"

    @Option(help: "Inject only into this backend's cases (default: every backend in turn).")
    var backend: String?

    @Option(help: "Relative change to tolerate, as for compare.")
    var threshold: String = Threshold.defaultText

    @Option(help: "False discovery rate, as for compare --paired.")
    var fdr: String = Threshold.defaultText

    @Flag(help: "Print the figures as JSON.")
    var json = false

    func validate() throws {
        _ = try Threshold.parse(threshold)
        _ = try Threshold.parse(fdr)
        _ = try Threshold.parse(slowdown)
        guard splits > 0 else { throw ValidationError("--splits must be at least 1") }
        if let rounds, rounds < 1 { throw ValidationError("--rounds must be at least 1") }
    }

    func run() throws {
        let request = CalibrationRequest(paths: runs, roundsPerSide: rounds, splits: splits, slowdown: try Threshold.parse(slowdown),
                                         backend: backend, threshold: try Threshold.parse(threshold), fdr: try Threshold.parse(fdr))
        let result = try Calibration.run(request)
        print(json ? try Calibration.json(result) : Calibration.text(result), terminator: "")
    }
}
