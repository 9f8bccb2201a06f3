import ArgumentParser
import Foundation
import LabScenario
import LabSystem

/// `benchlab validate <files…>`: check scenario files without running anything.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check scenario files; every problem is reported as file:line:column: message.",
        discussion: "Exits 0 when every file is valid, 2 otherwise."
    )

    @Argument(help: "Scenario files or shipped scenario names.")
    var files: [String]

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("name at least one scenario file") }
    }

    func run() throws {
        var failed = false
        for file in files {
            do {
                let scenario = try ScenarioParser.parse(fileAt: try ScenarioLibrary.resolve(file))
                let cases = scenario.cases().count
                print("ok \(file): \(scenario.name), \(scenario.variants.count) variant(s), \(cases) case(s)")
            } catch let error as ScenarioError {
                failed = true
                FileHandle.standardError.write(Data((error.description + "\n").utf8))
            } catch let error as any LabError {
                failed = true
                FileHandle.standardError.write(Data("\(file): \(error.oneLine)\n".utf8))
            }
        }
        if failed { throw ExitCode(ExitStatus.badInput.rawValue) }
    }
}
