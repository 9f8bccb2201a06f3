import ArgumentParser
import Foundation
import LabBackends
import LabRunner
import LabScenario
import LabSystem
import LabTopology

/// `benchlab up <scenario>`: bring a scenario's topology up (with one backend's policy) and leave it
/// for manual exploration; `benchlab down` removes it.
struct UpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Build a scenario's topology, optionally install one backend's policy, and leave it up for manual exploration.",
        discussion: "Use 'ip netns exec <namespace> …' to poke at it, and 'benchlab down' to remove it."
    )

    @OptionGroup var scenarioOptions: ScenarioOptions

    @Option(help: "Install this backend's policy at the filter point (default: none).")
    var backend: String = "none"

    func run() throws {
        guard let kind = BackendKind(rawValue: backend) else {
            throw LabFailure("--backend: unknown backend '\(backend)' (known: \(BackendKind.allCases.map(\.rawValue).joined(separator: ", ")))",
                             exitStatus: .badInput)
        }
        let scenario = try scenarioOptions.load()
        let lab = try LabSession.up(scenario, backend: kind)
        print(lab.describe())
    }
}

/// `benchlab down [lab-id…]`: remove labs made by `up`.
struct DownCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "down", abstract: "Remove labs made by 'benchlab up' (all of them, or the ids given).")

    @Argument(help: "Lab ids printed by 'benchlab up'; none means every lab.")
    var ids: [String] = []

    func run() throws {
        try Privileges.requireRoot(for: "benchlab down")
        let removed = try LabSession.down(ids: ids.isEmpty ? nil : Set(ids))
        if removed.isEmpty { print("no lab is up") }
        for id in removed { print("removed lab \(id)") }
    }
}
