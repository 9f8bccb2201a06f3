#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A program and its arguments, optionally run inside a lab network namespace.
public struct Command: Sendable, CustomStringConvertible, Equatable {
    public var executable: String
    public var arguments: [String]
    /// Variables set on top of benchlab's own environment.
    public var environment: [String: String]

    public init(_ executable: String, _ arguments: [String] = [], environment: [String: String] = [:]) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
    }

    /// The same command run through `ip netns exec`, which enters the namespace (and its /etc/netns
    /// and /sys view) and then execs the program under the same pid, so stopping that pid stops it.
    public func inNamespace(_ namespace: String?) -> Command {
        guard let namespace else { return self }
        return Command("ip", ["netns", "exec", namespace, executable] + arguments, environment: environment)
    }

    public var argv: [String] { [executable] + arguments }

    public var description: String {
        argv.map { $0.contains(" ") || $0.isEmpty ? "'\($0)'" : $0 }.joined(separator: " ")
    }
}

/// How a finished child ended. A non-zero exit is a result, not an exception (swift-subprocess's habit):
/// callers decide, usually through `requireSuccess`.
public struct CommandResult: Sendable {
    public let command: Command
    /// Exit code, or 128 + signal number when killed by a signal.
    public let status: Int32
    public let stdout: String
    public let stderr: String
    public let elapsedSeconds: Double

    public var succeeded: Bool { status == 0 }

    /// Throws `CommandFailed` (with stderr's last meaningful line) unless the command exited 0.
    @discardableResult
    public func requireSuccess(_ what: String? = nil) throws -> CommandResult {
        guard succeeded else { throw CommandFailed(result: self, doing: what) }
        return self
    }
}

public struct CommandFailed: LabError {
    public let result: CommandResult
    public let doing: String?

    public var exitStatus: ExitStatus {
        let text = result.stderr.lowercased()
        if text.contains("operation not permitted") || text.contains("permission denied") { return .notPermitted }
        return .failure
    }

    public var description: String {
        let detail = Self.lastLine(result.stderr) ?? Self.lastLine(result.stdout) ?? "no output"
        let prefix = doing.map { "\($0): " } ?? ""
        return "\(prefix)`\(result.command)` exited \(result.status): \(detail)"
    }

    static func lastLine(_ text: String) -> String? {
        text.split(whereSeparator: \.isNewline).last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            .map { $0.trimmingCharacters(in: .whitespaces) }
    }
}

public struct CommandTimedOut: LabError {
    public let command: Command
    public let seconds: Double
    public var exitStatus: ExitStatus { .failure }
    public var description: String { "`\(command)` did not finish within \(seconds) s and was killed" }
}

/// A program benchlab needs is not installed.
public struct ToolMissing: LabError {
    public let tool: String
    public init(tool: String) { self.tool = tool }
    public var exitStatus: ExitStatus { .missingFeature }
    public var description: String {
        "\(tool) is not installed; run scripts/setup (or apt-get install \(ToolMissing.package(for: tool)))"
    }

    /// The Debian package that provides a tool benchlab runs.
    public static func package(for tool: String) -> String {
        switch tool {
        case "ip", "tc": return "iproute2"
        case "iptables", "iptables-legacy", "iptables-nft", "iptables-legacy-restore", "iptables-nft-restore",
             "iptables-save", "iptables-legacy-save", "iptables-nft-save":
            return "iptables"
        case "nft": return "nftables"
        case "trafgen": return "netsniff-ng"
        case "xdp-filter", "xdp-loader", "xdp-trafficgen": return "xdp-tools"
        case "gnuplot": return "gnuplot-nox"
        default: return tool
        }
    }
}

/// Spawns children with posix_spawn in their own process group, feeds stdin, drains stdout/stderr
/// with poll (no deadlock on full pipes), and enforces a deadline with TERM, grace period, KILL.
public enum Subprocess {
    /// Runs `command` to completion. Throws only when it cannot start, overruns `timeout` seconds,
    /// or benchlab is interrupted; a non-zero exit is returned in the result. Teardown passes
    /// `cancellable: false`: undoing the lab must finish even after SIGINT.
    public static func run(_ command: Command, input: String? = nil, timeout: Double = 120,
                           cancellable: Bool = true) throws -> CommandResult {
        let start = MonotonicClock.nanoseconds()
        let stdinPipe = try Pipe.make("stdin pipe for \(command.executable)")
        let stdoutPipe = try Pipe.make("stdout pipe for \(command.executable)")
        let stderrPipe = try Pipe.make("stderr pipe for \(command.executable)")
        let pid: pid_t
        do {
            pid = try spawn(command, stdin: stdinPipe.read, stdout: stdoutPipe.write, stderr: stderrPipe.write)
        } catch {
            for fd in [stdinPipe.read, stdinPipe.write, stdoutPipe.read, stdoutPipe.write, stderrPipe.read, stderrPipe.write] {
                close(fd)
            }
            throw error
        }
        close(stdinPipe.read); close(stdoutPipe.write); close(stderrPipe.write)

        var pump = OutputPump(stdin: stdinPipe.write, input: Array((input ?? "").utf8),
                              stdout: stdoutPipe.read, stderr: stderrPipe.read)
        let deadline = Deadline(secondsFromNow: timeout)
        var failure: (any Error)?
        while !pump.finished {
            if cancellable && Cancellation.shared.isCancelled {
                failure = Interrupted(signal: Cancellation.shared.signal)
                break
            }
            if deadline.hasPassed {
                failure = CommandTimedOut(command: command, seconds: timeout)
                break
            }
            pump.step(waitMilliseconds: 50)
        }
        pump.closeAll()
        let status: Int32
        if failure != nil {
            status = terminate(pid, grace: 1.0)
        } else {
            status = reap(pid)
        }
        if let failure { throw failure }
        return CommandResult(command: command, status: status,
                             stdout: String(decoding: pump.out, as: UTF8.self),
                             stderr: String(decoding: pump.err, as: UTF8.self),
                             elapsedSeconds: Double(MonotonicClock.nanoseconds() - start) / 1e9)
    }

    /// Spawns `command` with the given descriptors as its stdio. The child gets default signal handling
    /// (benchlab ignores SIGINT itself) and its own process group, and is registered for teardown.
    static func spawn(_ command: Command, stdin: Int32, stdout: Int32, stderr: Int32) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for sig in [SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT] { sigaddset(&defaults, sig) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var environment = ProcessInfo.processInfo.environment
        for (key, value) in command.environment { environment[key] = value }
        let argv = command.argv.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, command.executable, &actions, &attributes, argv, envp)
        if rc == ENOENT { throw ToolMissing(tool: command.executable) }
        if rc != 0 { throw SystemCallError("spawn \(command.executable)", errno: rc) }
        ChildRegistry.shared.add(pid)
        return pid
    }

    /// Waits for `pid` and returns its exit status (128 + signal when signalled).
    static func reap(_ pid: pid_t) -> Int32 {
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) == -1 && errno == EINTR {}
        ChildRegistry.shared.remove(pid)
        return decodeWaitStatus(raw)
    }

    /// Non-blocking reap: the status if `pid` has exited, nil while it runs.
    static func poll(_ pid: pid_t) -> Int32? {
        var raw: Int32 = 0
        let rc = waitpid(pid, &raw, WNOHANG)
        if rc == 0 { return nil }
        ChildRegistry.shared.remove(pid)
        return rc == pid ? decodeWaitStatus(raw) : -1
    }

    /// SIGTERM to the child's process group, wait up to `grace` seconds, then SIGKILL; always reaps.
    @discardableResult
    static func terminate(_ pid: pid_t, grace: Double) -> Int32 {
        kill(-pid, SIGTERM)
        let deadline = Deadline(secondsFromNow: grace)
        while !deadline.hasPassed {
            if let status = poll(pid) { return status }
            usleep(10_000)
        }
        kill(-pid, SIGKILL)
        return reap(pid)
    }

    static func decodeWaitStatus(_ raw: Int32) -> Int32 {
        let signal = raw & 0x7f
        if signal == 0 { return (raw >> 8) & 0xff }
        return 128 + signal
    }
}

struct Pipe {
    let read: Int32
    let write: Int32

    static func make(_ what: String) throws -> Pipe {
        var fds: [Int32] = [0, 0]
        try systemCall("pipe (\(what))") { pipe(&fds) }
        // Close-on-exec so one child's pipes never leak into another child (which would keep EOF away).
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return Pipe(read: fds[0], write: fds[1])
    }
}

/// Moves bytes between benchlab and one child: writes `input` to its stdin (non-blocking, so a
/// multi-megabyte ruleset cannot deadlock against a child that is writing) and collects its output.
struct OutputPump {
    private var stdin: Int32
    private let input: [UInt8]
    private var written = 0
    private var stdout: Int32
    private var stderr: Int32
    private(set) var out: [UInt8] = []
    private(set) var err: [UInt8] = []

    init(stdin: Int32, input: [UInt8], stdout: Int32, stderr: Int32) {
        self.stdin = stdin
        self.input = input
        self.stdout = stdout
        self.stderr = stderr
        _ = fcntl(stdin, F_SETFL, fcntl(stdin, F_GETFL) | O_NONBLOCK)
        if input.isEmpty { closeInput() }
    }

    var finished: Bool { stdout < 0 && stderr < 0 }

    mutating func step(waitMilliseconds: Int32) {
        var fds: [pollfd] = []
        if stdin >= 0 { fds.append(pollfd(fd: stdin, events: Int16(POLLOUT), revents: 0)) }
        if stdout >= 0 { fds.append(pollfd(fd: stdout, events: Int16(POLLIN), revents: 0)) }
        if stderr >= 0 { fds.append(pollfd(fd: stderr, events: Int16(POLLIN), revents: 0)) }
        guard Glibc.poll(&fds, nfds_t(fds.count), waitMilliseconds) > 0 else { return }
        for entry in fds where entry.revents != 0 {
            if entry.fd == stdin { writeInput() }
            if entry.fd == stdout { stdout = Self.drain(stdout, into: &out) }
            if entry.fd == stderr { stderr = Self.drain(stderr, into: &err) }
        }
    }

    private mutating func writeInput() {
        let n = input.withUnsafeBytes { bytes in
            Glibc.write(stdin, bytes.baseAddress! + written, bytes.count - written)
        }
        if n > 0 { written += n }
        if written >= input.count || (n < 0 && errno != EAGAIN && errno != EINTR) { closeInput() }
    }

    private mutating func closeInput() {
        if stdin >= 0 { close(stdin) }
        stdin = -1
    }

    /// Reads what is available; returns the descriptor, or -1 once it reached EOF and was closed.
    private static func drain(_ fd: Int32, into buffer: inout [UInt8]) -> Int32 {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        if n > 0 {
            buffer.append(contentsOf: chunk[0..<n])
        } else if n == 0 || (errno != EAGAIN && errno != EINTR) {
            close(fd)
            return -1
        }
        return fd
    }

    mutating func closeAll() {
        closeInput()
        if stdout >= 0 { close(stdout); stdout = -1 }
        if stderr >= 0 { close(stderr); stderr = -1 }
    }
}
