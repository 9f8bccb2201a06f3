import ArgumentParser
import LabScenario

/// `benchlab list`: the shipped scenarios.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the shipped scenarios with one-line descriptions.")

    func run() throws {
        let library = try ScenarioLibrary.locate()
        let entries = library.list()
        let width = entries.map(\.name.count).max() ?? 0
        for entry in entries {
            let text = entry.problem.map { "(does not parse: \($0))" } ?? entry.description
            print("\(entry.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(text)")
        }
    }
}
