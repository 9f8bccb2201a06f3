import Foundation
import Testing
@testable import LabScenario

/// A scratch directory tree, removed when the test ends.
final class TemporaryTree {
    let root: String

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("benchlab-scenario-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// Writes `text` at `relative`, creating directories; returns the absolute path.
    @discardableResult
    func write(_ relative: String, _ text: String = "") throws -> String {
        let path = root + "/" + relative
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @discardableResult
    func directory(_ relative: String) throws -> String {
        let path = root + "/" + relative
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

extension ScenarioTests {
    @Suite("Scenario library")
    struct Library {
        static func valid(_ name: String) -> String {
            "name: \(name)\ndescription: The \(name) scenario.\nbackends: [none]\nworkloads: [{type: connect}]\n"
        }

        @Test func theEnvironmentVariableWinsAndMustNameADirectory() throws {
            let tree = try TemporaryTree()
            let explicit = try tree.directory("elsewhere")
            let cwd = try tree.directory("cwd")
            try tree.directory("cwd/scenarios")
            let search = ScenarioLibrary.SearchPaths(environmentDirectory: explicit, currentDirectory: cwd, executablePath: nil)
            #expect(try ScenarioLibrary.locate(search).directory == explicit)

            let missing = ScenarioLibrary.SearchPaths(environmentDirectory: tree.root + "/nope", currentDirectory: cwd, executablePath: nil)
            #expect(throws: ScenarioLibraryError.environmentDirectoryMissing(tree.root + "/nope")) { try ScenarioLibrary.locate(missing) }
        }

        @Test func theCurrentDirectoryComesBeforeTheExecutable() throws {
            let tree = try TemporaryTree()
            let cwd = try tree.directory("cwd")
            let local = try tree.directory("cwd/scenarios")
            try tree.directory("checkout/scenarios")
            let exe = try tree.write("checkout/.build/x86_64-unknown-linux-gnu/debug/benchlab")
            let search = ScenarioLibrary.SearchPaths(environmentDirectory: nil, currentDirectory: cwd, executablePath: exe)
            #expect(try ScenarioLibrary.locate(search).directory == local)
        }

        @Test func theNearestScenariosFolderAboveTheExecutableIsFound() throws {
            let tree = try TemporaryTree()
            let cwd = try tree.directory("cwd")
            let shipped = try tree.directory("checkout/scenarios")
            let exe = try tree.write("checkout/.build/x86_64-unknown-linux-gnu/debug/benchlab")
            let search = ScenarioLibrary.SearchPaths(environmentDirectory: "", currentDirectory: cwd, executablePath: exe)
            #expect(try ScenarioLibrary.locate(search).directory == shipped)
        }

        @Test func nothingFoundSaysWhereItLooked() throws {
            let tree = try TemporaryTree()
            let search = ScenarioLibrary.SearchPaths(environmentDirectory: nil, currentDirectory: tree.root, executablePath: nil)
            let error = try #require(throws: ScenarioLibraryError.self) { try ScenarioLibrary.locate(search) }
            #expect(error.description == "cannot find the scenarios directory (looked for \(tree.root)/scenarios); "
                    + "set BENCHLAB_SCENARIOS or give the scenario file's path")
            #expect(error.exitStatus == .badInput)
        }

        @Test func namesResolveInTheLibraryAndPathsAsGiven() throws {
            let tree = try TemporaryTree()
            let library = try tree.directory("scenarios")
            let quick = try tree.write("scenarios/quick.yaml", Self.valid("quick"))
            let search = ScenarioLibrary.SearchPaths(environmentDirectory: library, currentDirectory: tree.root, executablePath: nil)
            #expect(try ScenarioLibrary.resolve("quick", search: search) == quick)
            // Paths need no library at all.
            let none = ScenarioLibrary.SearchPaths(environmentDirectory: nil, currentDirectory: tree.root + "/x", executablePath: nil)
            for path in ["./mine.yaml", "mine.yaml", "mine.yml", "dir/mine"] {
                #expect(try ScenarioLibrary.resolve(path, search: none) == path)
            }
        }

        @Test func anUnknownNameSuggestsAndListsTheNames() throws {
            let tree = try TemporaryTree()
            let library = ScenarioLibrary(directory: try tree.directory("scenarios"))
            try tree.write("scenarios/quick.yaml", Self.valid("quick"))
            try tree.write("scenarios/ci-smoke.yaml", Self.valid("ci-smoke"))
            let error = try #require(throws: ScenarioLibraryError.self) { try library.path(forName: "quik") }
            #expect(error.description == "unknown scenario 'quik' (did you mean 'quick'?); available in \(library.directory): ci-smoke, quick")
            let far = try #require(throws: ScenarioLibraryError.self) { try library.path(forName: "soak") }
            #expect(far.description == "unknown scenario 'soak'; available in \(library.directory): ci-smoke, quick")
        }

        @Test func listShowsEveryScenarioSortedWithProblemsInsteadOfFailing() throws {
            let tree = try TemporaryTree()
            let library = ScenarioLibrary(directory: try tree.directory("scenarios"))
            try tree.write("scenarios/quick.yaml", Self.valid("quick"))
            try tree.write("scenarios/broken.yaml", "name: broken\nrepeat: [\n")
            try tree.write("scenarios/renamed.yaml", Self.valid("other"))
            try tree.write("scenarios/notes.txt", "not a scenario")
            #expect(library.list() == [
                ScenarioLibrary.Entry(name: "broken", path: library.directory + "/broken.yaml", description: "",
                                      problem: library.directory + "/broken.yaml:3:1: YAML syntax error: did not find expected node content "
                                               + "(while parsing a flow node that starts at 3:1)"),
                ScenarioLibrary.Entry(name: "quick", path: library.directory + "/quick.yaml", description: "The quick scenario.", problem: nil),
                ScenarioLibrary.Entry(name: "renamed", path: library.directory + "/renamed.yaml", description: "The other scenario.",
                                      problem: "the file is renamed.yaml but the scenario is named 'other'; rename one of them"),
            ])
        }

        @Test func everyShippedScenarioIsValid() throws {
            let entries = ScenarioLibrary(directory: ScenarioFixtures.shippedDirectory.path).list()
            #expect(entries.filter { $0.problem != nil }.map(\.name) == [])
            #expect(Set(["quick", "ci-smoke"]).isSubset(of: entries.map(\.name)))
        }
    }
}
