import Foundation
import LabSystem
import LabTestSupport
import Testing

/// The built binary, run as a user would: its help text and its one-line errors with their exit
/// statuses are part of the interface (swift-argument-parser's habit: golden text for whole outputs).
@Suite("benchlab command line")
struct CLIGoldenTests {
    static let goldens = Golden.directory.appendingPathComponent("cli")
    let scenarios = "\(TestEnvironment.packageRoot)/scenarios"

    func benchlab(_ arguments: [String]) throws -> CommandResult {
        // A fixed width: argument-parser wraps help to the terminal, and tests have none.
        let environment = ["COLUMNS": "100", "BENCHLAB_SCENARIOS": scenarios]
        return try Subprocess.run(Command(TestEnvironment.benchlabBinary, arguments, environment: environment), timeout: 30)
    }

    @Test("help text of every command", arguments: [
        "benchlab", "run", "list", "validate", "check", "up", "down", "clean", "report", "compare", "calibrate", "conntrack",
    ])
    func help(command: String) throws {
        let result = try benchlab(command == "benchlab" ? ["--help"] : [command, "--help"])
        #expect(result.status == 0)
        try Golden.check(result.stdout, against: Self.goldens.appendingPathComponent("help-\(command).txt"))
    }

    @Test("bad input is one line on stderr and exit status 2", arguments: [
        (["frobnicate"], "benchlab: Unexpected argument 'frobnicate' (see 'benchlab --help')"),
        (["conntrack", "blnosuch"], "benchlab: no lab namespace 'blnosuch' (see 'ip netns list'; lab namespaces start with 'bl')"),
        (["run", "nosuch"], "benchlab: unknown scenario 'nosuch'; available in SCENARIOS: ci-ab, ci-perf, ci-smoke, conntrack-gc, drop-ladder, egress-failover, egress-gateway, filter-scale, flood-goodput, quick, snat-exhaustion"),
        (["run", "quick", "--repeat", "0"], "benchlab: --repeat must be 1...100, got 0 (see 'benchlab --help')"),
        (["run", "quick", "--backends", "xdp,bogus"],
         "benchlab: --backends: unknown backend 'bogus' (known: none, iptables-legacy, iptables-nft, iptables-ipset, nftables, iptables-raw, iptables-notrack, nftables-prerouting, nftables-ingress, xdp, tc, xdp-ct-lru, tc-ct-lru, xdp-ct-swept, tc-ct-swept, xdp-ct-kfunc, tc-ct-kfunc, tc-snat, tc-snat-swept) (see 'benchlab --help')"),
        (["run", "quick", "--set", "rules"], "benchlab: --set rules: expected name=value[,value…]"),
        (["up", "quick", "--backend", "pf"],
         "benchlab: --backend: unknown backend 'pf' (known: none, iptables-legacy, iptables-nft, iptables-ipset, nftables, iptables-raw, iptables-notrack, nftables-prerouting, nftables-ingress, xdp, tc, xdp-ct-lru, tc-ct-lru, xdp-ct-swept, tc-ct-swept, xdp-ct-kfunc, tc-ct-kfunc, tc-snat, tc-snat-swept)"),
        (["compare", "--threshold", "abc", "a", "b"],
         "benchlab: --threshold abc: expected a percentage such as 5% or 2.5 (see 'benchlab --help')"),
    ])
    func badInput(arguments: [String], message: String) throws {
        let result = try benchlab(arguments)
        #expect(result.status == ExitStatus.badInput.rawValue)
        #expect(result.stderr == message.replacingOccurrences(of: "SCENARIOS", with: scenarios) + "\n")
        #expect(result.stdout.isEmpty)
    }

    @Test("a malformed scenario reports every problem as file:line:column")
    func validateMalformed() throws {
        let file = "\(TestEnvironment.packageRoot)/Tests/UnitTests/Fixtures/scenarios/bad/bad-backend.yaml"
        let result = try benchlab(["validate", file])
        #expect(result.status == ExitStatus.badInput.rawValue)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count >= 2)
        #expect(lines.allSatisfy { $0.hasPrefix("\(file):") })
        #expect(lines.first == "\(file):3:18: unknown backend 'xpd' (did you mean 'xdp'?)")
    }

    @Test("the shipped scenarios validate")
    func validateShipped() throws {
        let result = try benchlab(["validate", "quick", "ci-smoke"])
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test("a missing baseline is exit 7, not bad input")
    func missingBaseline() throws {
        let result = try benchlab(["compare", "/nonexistent/run.json", "/nonexistent/other.json"])
        #expect(result.status == ExitStatus.baselineMissing.rawValue)
        #expect(result.stderr.hasPrefix("benchlab: baseline /nonexistent/run.json: no such file"))
    }
}
