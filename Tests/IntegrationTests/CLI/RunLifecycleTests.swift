#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LabResults
import LabSystem
import LabTestSupport
import LabTopology
import Testing

extension KernelTests {
    /// The whole binary against the real kernel: runs, interrupts, kills, clean.
    @Suite("benchlab run lifecycle")
    struct RunLifecycleTests {
        let binary = TestEnvironment.benchlabBinary
        let scenarios = "\(TestEnvironment.packageRoot)/scenarios"

        func benchlab(_ arguments: [String], timeout: Double = 120) throws -> CommandResult {
            try Subprocess.run(Command(binary, arguments, environment: ["BENCHLAB_SCENARIOS": scenarios]), timeout: timeout)
        }

        @Test("ci-smoke produces run.json, summary.csv and report.md, and leaves nothing behind")
        func ciSmoke() throws {
            let out = try TestEnvironment.temporaryDirectory("run")
            defer { try? FileManager.default.removeItem(atPath: out) }
            let result = try benchlab(["run", "ci-smoke", "--out", out, "--quiet"])
            #expect(result.status == 0, "\(result.stderr)")
            let directory = try #require(try FileManager.default.contentsOfDirectory(atPath: out).first)
            for file in ["run.json", "summary.csv", "report.md"] {
                #expect(FileManager.default.fileExists(atPath: "\(out)/\(directory)/\(file)"), "missing \(file)")
            }
            let record = try RunRecordCoding.load(path: "\(out)/\(directory)")
            #expect(record.status == .complete)
            #expect(record.cases.allSatisfy { $0.status == .ok })
            #expect(record.cases.first?.equivalence?.passed == true)
            #expect(Leftovers.namespaces().isEmpty, "left: \(Leftovers.namespaces())")
            #expect(Leftovers.deadJournals().isEmpty, "left: \(Leftovers.deadJournals())")
        }

        // Here rather than with the other command-line tests: it asserts that no namespace or journal
        // appears, which only holds while no other kernel test is building a lab (this suite is serialized).
        @Test("not root: exit 3 with the fix, and nothing is created",
              .enabled(if: ToolLocator.exists("setpriv"), "needs setpriv to become nobody"))
        func notRoot() throws {
            let out = try TestEnvironment.temporaryDirectory("nobody")
            defer { try? FileManager.default.removeItem(atPath: out) }
            let namespaces = Set(Namespaces.all())
            let journals = Set(LabCleaner().journalDirectories())
            let command = ["--reuid=65534", "--regid=65534", "--clear-groups", binary, "run", "ci-smoke", "--out", out]
            let result = try Subprocess.run(Command("setpriv", command, environment: ["BENCHLAB_SCENARIOS": scenarios]), timeout: 30)
            #expect(result.status == ExitStatus.notPermitted.rawValue)
            #expect(result.stderr == "benchlab: benchlab run needs root (network namespaces, veth, netfilter, BPF): run it as root, e.g. with sudo\n")
            #expect(Set(Namespaces.all()).subtracting(namespaces).isEmpty)
            #expect(Set(LabCleaner().journalDirectories()).subtracting(journals).isEmpty)
            #expect(try FileManager.default.contentsOfDirectory(atPath: out).isEmpty)
        }

        @Test("SIGINT or SIGTERM mid-run tears the lab down and records an interrupted run",
              arguments: [(SIGINT, 0.0), (SIGINT, 2.0), (SIGTERM, 1.0)])
        func interrupt(signal: Int32, after seconds: Double) throws {
            let out = try TestEnvironment.temporaryDirectory("interrupt")
            defer { try? FileManager.default.removeItem(atPath: out) }
            let process = try BackgroundProcess(Command(binary, ["run", "quick", "--out", out], environment: ["BENCHLAB_SCENARIOS": scenarios]),
                                                stdoutPath: "\(out)/stdout", stderrPath: "\(out)/stderr")
            try waitForRunStart(in: out)
            usleep(useconds_t(seconds * 1_000_000))
            kill(process.pid, signal)
            let status = try #require(try process.waitForExit(timeout: 30), "benchlab did not stop after signal \(signal)")
            #expect(status == 130, "\(process.readStderr())")
            #expect(Leftovers.namespaces().isEmpty, "left: \(Leftovers.namespaces())")
            #expect(Leftovers.deadJournals().isEmpty, "left: \(Leftovers.deadJournals())")
            let directory = try #require(try FileManager.default.contentsOfDirectory(atPath: out).first { $0.hasSuffix("-quick") })
            #expect(try RunRecordCoding.load(path: "\(out)/\(directory)").status == .interrupted)
        }

        @Test("SIGKILL leaves a journal that `benchlab clean` replays to nothing", arguments: [0.2, 1.5, 3.0])
        func killAndClean(after seconds: Double) throws {
            let out = try TestEnvironment.temporaryDirectory("kill")
            defer { try? FileManager.default.removeItem(atPath: out) }
            let process = try BackgroundProcess(Command(binary, ["run", "quick", "--out", out], environment: ["BENCHLAB_SCENARIOS": scenarios]),
                                                stdoutPath: "\(out)/stdout", stderrPath: "\(out)/stderr")
            try waitForLabNamespace(besides: Set(Namespaces.labNamespaces()))
            usleep(useconds_t(seconds * 1_000_000))
            kill(-process.pid, SIGKILL)
            _ = process.stop(grace: 0)
            let clean = try benchlab(["clean"])
            #expect(clean.status == 0, "\(clean.stderr)")
            #expect(Leftovers.namespaces().isEmpty, "left: \(Leftovers.namespaces())")
            #expect(Leftovers.deadJournals().isEmpty, "left: \(Leftovers.deadJournals())")
            #expect(Namespaces.labRootLinks().isEmpty)
        }

        @Test("two runs at once both succeed")
        func concurrentRuns() throws {
            let out = try TestEnvironment.temporaryDirectory("concurrent")
            defer { try? FileManager.default.removeItem(atPath: out) }
            let environment = ["BENCHLAB_SCENARIOS": scenarios]
            let first = try BackgroundProcess(Command(binary, ["run", "ci-smoke", "--out", "\(out)/a", "--quiet"], environment: environment),
                                              stdoutPath: "\(out)/a.out", stderrPath: "\(out)/a.err")
            let second = try BackgroundProcess(Command(binary, ["run", "ci-smoke", "--out", "\(out)/b", "--quiet"], environment: environment),
                                               stdoutPath: "\(out)/b.out", stderrPath: "\(out)/b.err")
            #expect(try first.waitForExit(timeout: 120) == 0, "\(first.readStderr())")
            #expect(try second.waitForExit(timeout: 120) == 0, "\(second.readStderr())")
        }

        /// Waits for the run's run.json: preflight is over and the run has begun.
        func waitForRunStart(in out: String, timeout: Double = 20) throws {
            let deadline = Deadline(secondsFromNow: timeout)
            while true {
                let directories = (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []
                if directories.contains(where: { FileManager.default.fileExists(atPath: "\(out)/\($0)/run.json") }) { return }
                if deadline.hasPassed { throw LabFailure("the run did not start within \(timeout) s") }
                usleep(20_000)
            }
        }

        func waitForLabNamespace(besides before: Set<String>, timeout: Double = 20) throws {
            let deadline = Deadline(secondsFromNow: timeout)
            while Set(Namespaces.labNamespaces()).subtracting(before).isEmpty {
                if deadline.hasPassed { throw LabFailure("no lab namespace appeared within \(timeout) s") }
                usleep(20_000)
            }
        }
    }
}
