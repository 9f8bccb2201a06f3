import ArgumentParser
import LabRunner
import LabSystem

/// `benchlab check`: what this host has, each with a fix hint.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Show what this host has for benchlab (privileges, kernel features, tools), each with a fix hint.",
        discussion: "Exits 0 when everything is there, 3 when not root, 4 when a feature or tool is missing."
    )

    func run() throws {
        let items = HostCheck.run()
        print(HostCheck.render(items))
        if !Privileges.isRoot { throw ExitCode(ExitStatus.notPermitted.rawValue) }
        if items.contains(where: { !$0.available }) { throw ExitCode(ExitStatus.missingFeature.rawValue) }
    }
}
