#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation
import LabBackends
import LabRunner
import LabScenario
import LabSystem

/// `benchlab run <scenario>`: the main job.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a scenario: build the lab, install each backend's policy, prove equivalence, drive traffic, write results.",
        discussion: """
            <scenario> is a name from the shipped library (see 'benchlab list') or a path to a YAML file. \
            Results go to <out>/<UTC time>-<scenario>/ (run.json, summary.csv, report.md, charts/).
            """
    )

    @OptionGroup var scenarioOptions: ScenarioOptions

    // `.unconditional`: "-1" is the option's value (then refused by validate()), not an unknown flag
    // that would leave --repeat "missing a value".
    @Option(name: .customLong("repeat"), parsing: .unconditional, help: "Measured repeats per case (overrides the scenario's 'repeat').")
    var repeats: Int?

    @Option(parsing: .unconditional, help: "Warm-up rounds (overrides the scenario's 'warmup').")
    var warmup: Int?

    @Option(help: "Directory that receives the run's result directory.")
    var out: String = "results"

    @Option(help: "Comma-separated backends to run, a subset of the scenario's (e.g. none,nftables,xdp).")
    var backends: String?

    @Flag(name: .shortAndLong, help: "Print only the report's path (no progress).")
    var quiet = false

    func validate() throws {
        if let repeats, !(1...100).contains(repeats) { throw ValidationError("--repeat must be 1...100, got \(repeats)") }
        if let warmup, !(0...10).contains(warmup) { throw ValidationError("--warmup must be 0...10, got \(warmup)") }
        _ = try BackendList.parse(backends)
        // Without root the run is refused before it writes anything (exit 3), and "run it as root"
        // is the fix to name first: whether --out is writable is root's question.
        if geteuid() == 0 { try OutputDirectory.check(out) }
    }

    func run() throws {
        let scenario = try scenarioOptions.load()
        let chosen = try BackendList.parse(backends)
        if let chosen {
            let unknown = chosen.filter { !scenario.backends.contains($0) }
            guard unknown.isEmpty else {
                throw LabFailure("--backends: \(unknown.map(\.rawValue).joined(separator: ", ")) not in scenario \(scenario.name) "
                                 + "(it has \(scenario.backends.map(\.rawValue).joined(separator: ", ")))", exitStatus: .badInput)
            }
        }
        let printer = ProgressPrinter(quiet: quiet)
        let options = RunOptions(scenario: scenario, backends: chosen, repeats: repeats, warmup: warmup, outputParent: out,
                                 agentExecutable: CheckoutLocator.executable,
                                 commandLine: CommandLine.arguments.joined(separator: " "), benchlab: BenchlabVersion.toolInfo)
        let result = try BenchmarkRun(options: options, observer: printer).execute()
        let outputs = try RunOutputs.write(result.record, to: result.directory)
        printer.finished(result, outputs: outputs)
        if result.record.status == .interrupted { throw ExitCode(ExitStatus.interrupted.rawValue) }
        if !result.failedCases.isEmpty { throw ExitCode(ExitStatus.caseFailures.rawValue) }
    }
}

/// Flags shared by commands that take a scenario.
struct ScenarioOptions: ParsableArguments {
    @Argument(help: "A shipped scenario name (see 'benchlab list') or a path to a scenario YAML file.")
    var scenario: String

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a parameter's values, e.g. --set rules=100 or --set rules=1,100.",
                                                          valueName: "name=values"))
    var overrides: [String] = []

    func load() throws -> Scenario {
        let path = try ScenarioLibrary.resolve(scenario)
        return try ScenarioParser.parse(fileAt: path, overrides: try parsedOverrides())
    }

    func parsedOverrides() throws -> [String: [String]] {
        var result: [String: [String]] = [:]
        for item in overrides {
            let parts = item.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw LabFailure("--set \(item): expected name=value[,value…]", exitStatus: .badInput)
            }
            result[String(parts[0])] = parts[1].split(separator: ",").map(String.init)
        }
        return result
    }
}

enum BackendList {
    static func parse(_ text: String?) throws -> [BackendKind]? {
        guard let text else { return nil }
        // An empty name (",", "xdp,,tc", a trailing comma) would quietly run fewer cases, or none.
        let names = text.split(separator: ",", omittingEmptySubsequences: false)
        guard !names.contains(where: \.isEmpty) else {
            throw ValidationError("--backends '\(text)' has an empty name; list backends separated by commas, e.g. none,nftables,xdp")
        }
        var seen: Set<Substring> = []
        if let repeated = names.first(where: { !seen.insert($0).inserted }) {
            throw ValidationError("--backends lists '\(repeated)' twice")
        }
        return try names.map { name in
            guard let kind = BackendKind(rawValue: String(name)) else {
                throw ValidationError("--backends: unknown backend '\(name)' (known: \(BackendKind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return kind
        }
    }
}
