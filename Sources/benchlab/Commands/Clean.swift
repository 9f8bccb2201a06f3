import ArgumentParser
import LabSystem
import LabTopology

/// `benchlab clean`: undo what crashed or killed runs (and `up` labs) left behind.
struct CleanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clean",
        abstract: "Remove every namespace, link, pin and knob change left by a crashed or killed run, and every lab made by 'up'.",
        discussion: "Runs that are still alive are left alone, so clean is safe while another benchmark runs."
    )

    func run() throws {
        try Privileges.requireRoot(for: "benchlab clean")
        let report = LabCleaner().clean()
        for id in report.journalsReplayed { print("replayed journal \(id)") }
        for name in report.namespacesRemoved { print("removed namespace \(name)") }
        for name in report.linksRemoved { print("removed link \(name)") }
        for path in report.pinsRemoved { print("removed pin \(path)") }
        for knob in report.knobsRestored { print("restored \(knob)") }
        for id in report.liveRuns { print("left live run \(id) alone") }
        if report.isEmpty && report.failures.isEmpty { print("nothing to clean") }
        guard report.failures.isEmpty else {
            throw LabFailure("clean could not undo everything: \(report.failures.joined(separator: "; "))")
        }
    }
}
