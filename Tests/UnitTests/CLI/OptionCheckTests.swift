import Foundation
import LabSystem
import LabTestSupport
import Testing

/// Every option of `run` is checked before anything touches the kernel (issue 13): one line on
/// stderr, exit 2. The scenario given is malformed: getting the option's error rather than the
/// file's shows the options were checked before the scenario was even read, let alone run.
@Suite("benchlab run: options checked first")
struct OptionCheckTests {
    let scenarios = "\(TestEnvironment.packageRoot)/scenarios"

    func benchlab(_ arguments: [String]) throws -> CommandResult {
        try Subprocess.run(Command(TestEnvironment.benchlabBinary, arguments, environment: ["BENCHLAB_SCENARIOS": scenarios]), timeout: 30)
    }

    static let malformed = "\(TestEnvironment.packageRoot)/Tests/UnitTests/Fixtures/scenarios/bad/bad-backend.yaml"

    @Test("a bad option is one line, exit 2, before any kernel work", arguments: [
        (["run", "quick", "--out", "/etc/passwd"], "benchlab: --out /etc/passwd: not a directory (it is a file) (see 'benchlab --help')"),
        (["run", "quick", "--out", "/etc/passwd/results"],
         "benchlab: --out /etc/passwd/results: not a directory ('/etc/passwd' is a file) (see 'benchlab --help')"),
        (["run", "quick", "--backends", ","],
         "benchlab: --backends ',' has an empty name; list backends separated by commas, e.g. none,nftables,xdp (see 'benchlab --help')"),
        (["run", "quick", "--backends", "xdp,,tc"],
         "benchlab: --backends 'xdp,,tc' has an empty name; list backends separated by commas, e.g. none,nftables,xdp (see 'benchlab --help')"),
        (["run", "quick", "--backends", "xdp,xdp"], "benchlab: --backends lists 'xdp' twice (see 'benchlab --help')"),
        (["run", "quick", "--repeat", "-1"], "benchlab: --repeat must be 1...100, got -1 (see 'benchlab --help')"),
        (["run", "quick", "--warmup", "-3"], "benchlab: --warmup must be 0...10, got -3 (see 'benchlab --help')"),
    ])
    func badOption(arguments: [String], message: String) throws {
        let result = try benchlab(arguments.map { $0 == "quick" ? Self.malformed : $0 })
        #expect(result.status == ExitStatus.badInput.rawValue)
        #expect(result.stderr == message + "\n")
        #expect(result.stdout.isEmpty)
    }

    @Test("a file that is not UTF-8 is file:line:column, naming the file once")
    func notUTF8() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("latin1-\(UUID().uuidString).yaml").path
        try Data("name: t\ndescription: caf".utf8 + [0xE9] + "\n".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try benchlab(["validate", path])
        #expect(result.status == ExitStatus.badInput.rawValue)
        #expect(result.stderr == "\(path):2:17: the file is not UTF-8 text (byte 0xE9); save it as UTF-8\n")
    }
}
