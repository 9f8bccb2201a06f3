#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A long-lived child (a traffic server, a generator) whose output goes to files. It is always
/// reaped: `stop` sends TERM, waits for the deadline, then KILLs the whole process group; deinit does
/// the same if the owner forgot or unwound through an error.
public final class BackgroundProcess {
    public let command: Command
    public let pid: pid_t
    public let stdoutPath: String
    public let stderrPath: String
    private var status: Int32?

    /// Starts `command` with stdout and stderr written to the given files (created or truncated).
    public init(_ command: Command, stdoutPath: String, stderrPath: String) throws {
        self.command = command
        self.stdoutPath = stdoutPath
        self.stderrPath = stderrPath
        let devNull = try systemCall("open /dev/null") { open("/dev/null", O_RDONLY | O_CLOEXEC) }
        defer { close(devNull) }
        let out = try systemCall("create \(stdoutPath)") { open(stdoutPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
        defer { close(out) }
        let err = try systemCall("create \(stderrPath)") { open(stderrPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
        defer { close(err) }
        pid = try Subprocess.spawn(command, stdin: devNull, stdout: out, stderr: err)
    }

    deinit { stop(grace: 0.5) }

    /// The exit status if the child has exited, nil while it runs.
    public var exitStatus: Int32? {
        if status == nil { status = Subprocess.poll(pid) }
        return status
    }

    public var isRunning: Bool { exitStatus == nil }

    /// Waits up to `timeout` seconds for a natural exit; nil if still running (it keeps running).
    public func waitForExit(timeout: Double) throws -> Int32? {
        let deadline = Deadline(secondsFromNow: timeout)
        while true {
            if let status = exitStatus { return status }
            if deadline.hasPassed { return nil }
            try Cancellation.shared.checkpoint()
            usleep(10_000)
        }
    }

    /// Graceful stop with a deadline, then kill. Idempotent; returns the exit status.
    @discardableResult
    public func stop(grace: Double = 2.0) -> Int32 {
        if let status = exitStatus { return status }
        let final = Subprocess.terminate(pid, grace: grace)
        status = final
        return final
    }

    public func readStdout() -> String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    public func readStderr() -> String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }
}
