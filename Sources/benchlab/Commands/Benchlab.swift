import ArgumentParser

/// The root command: lists the subcommands, each its own type in its own file.
struct Benchlab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchlab",
        abstract: "Measure what packet filtering and NAT cost with iptables, nftables and eBPF, on this machine.",
        discussion: """
            Exit codes: 0 ok, 1 internal error, 2 bad input, 3 not permitted (run as root), \
            4 missing tool or kernel feature, 5 some cases failed, 6 performance regression (compare), \
            7 baseline missing, 8 baseline incompatible, 130 interrupted.
            """,
        version: BenchlabVersion.string,
        subcommands: [
            RunCommand.self, ListCommand.self, ValidateCommand.self, CheckCommand.self,
            UpCommand.self, DownCommand.self, CleanCommand.self, ReportCommand.self, CompareCommand.self, CalibrateCommand.self,
            ConntrackCommand.self,
            AgentCommand.self, SchemaCommand.self,
        ]
    )
}
