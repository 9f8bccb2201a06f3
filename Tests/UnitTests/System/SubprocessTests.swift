import Foundation
import LabSystem
import Testing

@Suite("Subprocess")
struct SubprocessTests {
    @Test("captures stdout, stderr and a non-zero exit as a result, not an exception")
    func nonZeroExitIsAResult() throws {
        let result = try Subprocess.run(Command("sh", ["-c", "echo out; echo err >&2; exit 3"]))
        #expect(result.status == 3)
        #expect(result.stdout == "out\n")
        #expect(result.stderr == "err\n")
        #expect(!result.succeeded)
    }

    @Test("requireSuccess names the command and stderr's last line")
    func requireSuccessMessage() throws {
        let result = try Subprocess.run(Command("sh", ["-c", "echo first >&2; echo 'the real reason' >&2; exit 1"]))
        let error = #expect(throws: CommandFailed.self) { try result.requireSuccess("load rules") }
        #expect(error?.description == "load rules: `sh -c 'echo first >&2; echo 'the real reason' >&2; exit 1'` exited 1: the real reason")
    }

    @Test("feeds megabytes on stdin without deadlocking against output")
    func largeInput() throws {
        let line = String(repeating: "x", count: 99) + "\n"
        let input = String(repeating: line, count: 50_000)
        let result = try Subprocess.run(Command("cat"), input: input, timeout: 30)
        #expect(result.stdout.utf8.count == input.utf8.count)
    }

    @Test("kills a child that overruns its deadline, and its children")
    func timeout() throws {
        let start = MonotonicClock.seconds()
        #expect(throws: CommandTimedOut.self) {
            _ = try Subprocess.run(Command("sh", ["-c", "sleep 30 & sleep 30"]), timeout: 0.3)
        }
        #expect(MonotonicClock.seconds() - start < 5)
    }

    @Test("a missing program is a ToolMissing with the package to install")
    func missingTool() throws {
        let error = #expect(throws: ToolMissing.self) { _ = try Subprocess.run(Command("iperf3-does-not-exist")) }
        #expect(error?.exitStatus == .missingFeature)
        #expect(ToolMissing(tool: "nft").description == "nft is not installed; run scripts/setup (or apt-get install nftables)")
    }

    @Test("a signal-terminated child reports 128 + signal")
    func signalled() throws {
        let result = try Subprocess.run(Command("sh", ["-c", "kill -9 $$"]))
        #expect(result.status == 137)
    }

    @Test("background processes are stopped and reaped")
    func background() throws {
        let directory = NSTemporaryDirectory()
        let process = try BackgroundProcess(Command("sleep", ["30"]), stdoutPath: "\(directory)/bl-bg.out", stderrPath: "\(directory)/bl-bg.err")
        #expect(process.isRunning)
        let status = process.stop(grace: 1)
        #expect(status == 128 + 15)
        #expect(!process.isRunning)
        #expect(kill(process.pid, 0) == -1)
    }

    @Test("a command runs in a namespace through ip netns exec under the same pid")
    func namespaceWrapping() {
        let command = Command("iperf3", ["-s"]).inNamespace("bl-x-srv")
        #expect(command.argv == ["ip", "netns", "exec", "bl-x-srv", "iperf3", "-s"])
        #expect(Command("a").inNamespace(nil) == Command("a"))
    }
}

@Suite("System call chokepoint")
struct SystemCallTests {
    @Test("turns -1/errno into an error naming the operation")
    func errnoMapping() {
        let error = #expect(throws: SystemCallError.self) {
            try systemCall("open /nonexistent/file") { open("/nonexistent/file", O_RDONLY) }
        }
        #expect(error?.description == "open /nonexistent/file: No such file or directory (errno 2)")
        #expect(SystemCallError("x", errno: EPERM).exitStatus == .notPermitted)
    }

    @Test("atomic writes replace the whole file")
    func atomicWrite() throws {
        let path = "\(NSTemporaryDirectory())bl-atomic-\(getpid()).txt"
        defer { unlink(path) }
        try AtomicFile.write("first", to: path)
        try AtomicFile.write("second", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "second")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory()).filter { $0.contains("bl-atomic-\(getpid()).txt.tmp") }
        #expect(leftovers.isEmpty)
    }

    @Test("a process is alive only with its own start time")
    func processIdentity() {
        let me = ProcessIdentity.current
        #expect(me.isAlive)
        #expect(!ProcessIdentity(pid: me.pid, startTime: me.startTime + 1).isAlive)
        #expect(!ProcessIdentity(pid: 999_999_999, startTime: 1).isAlive)
    }
}
