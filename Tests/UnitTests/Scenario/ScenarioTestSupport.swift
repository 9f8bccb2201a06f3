import Foundation
import LabTraffic
import Testing
@testable import LabScenario

/// The diagnostics `text` produces, one `path:line:column: message` per element; records a test
/// failure when the text parses.
func diagnostics(of text: String, path: String = "test.yaml", overrides: [String: [String]] = [:],
                 sourceLocation: SourceLocation = #_sourceLocation) -> [String] {
    do {
        _ = try ScenarioParser.parse(text: text, path: path, overrides: overrides)
        Issue.record("expected diagnostics, but the scenario parsed", sourceLocation: sourceLocation)
        return []
    } catch let error as ScenarioError {
        return error.description.components(separatedBy: "\n")
    } catch {
        Issue.record("expected a ScenarioError, got \(error)", sourceLocation: sourceLocation)
        return []
    }
}

/// A valid scenario with `body` appended, for tests about one section.
/// The workloads of the first variant of a scenario made of `yaml` under `scenarioText`'s header.
func firstVariantWorkloads(_ yaml: String) throws -> [Workload] {
    try #require(try ScenarioParser.parse(text: scenarioText(yaml), path: "t.yaml").variants.first).workloads
}

func scenarioText(_ body: String, header: String = "name: t\ndescription: A test.\nbackends: [none]\n") -> String {
    header + body
}

enum ScenarioFixtures {
    /// The checkout's root, from this file's path: Tests/UnitTests/Scenario/<file>.
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let shippedDirectory = repositoryRoot.appendingPathComponent("scenarios")

    static func badFile(_ name: String) throws -> String {
        let fixtures = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        return try String(contentsOf: fixtures.appendingPathComponent("scenarios/bad/\(name)"), encoding: .utf8)
    }
}

/// Every scenario test suite nests in this one, so `swift test --filter ScenarioTests` runs them all.
@Suite("Scenario") struct ScenarioTests {}
