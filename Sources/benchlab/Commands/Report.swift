import ArgumentParser
import Foundation
import LabReport
import LabSystem

/// `benchlab report <run-dir>`: rebuilds report.md, summary.csv and charts/ from run.json alone. The
/// output is byte-identical to what the run wrote, so a report can be regenerated after an upgrade
/// of gnuplot or a lost file without re-running anything.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Rebuild a run's report.md, summary.csv and charts from its run.json.",
        discussion: "Writes into the run directory. Charts need gnuplot (apt-get install gnuplot-nox); without it the report says they were skipped.")

    @Argument(help: "A run directory holding run.json, or a run.json file.")
    var runPath: String

    func validate() throws {
        guard FileManager.default.fileExists(atPath: runPath) else {
            throw LabFailure("\(runPath): no such run directory or run.json", exitStatus: .badInput)
        }
    }

    func run() throws {
        let report = try ReportWriter.rebuild(from: runPath)
        print(report)
    }
}
