import ArgumentParser
import LabScenario

/// `benchlab schema`: prints the JSON Schema of scenario files, committed as scenarios/schema.json
/// (a unit test holds the two equal). Hidden: it is for maintainers regenerating that file.
struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema", abstract: "Print the JSON Schema of scenario files (scenarios/schema.json).", shouldDisplay: false)

    func run() throws {
        print(ScenarioSchema.json(), terminator: "")
    }
}
