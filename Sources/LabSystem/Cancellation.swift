#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization

/// Turns SIGINT/SIGTERM into a flag that every bounded loop polls, so a run unwinds through its normal
/// teardown (defer blocks replaying the journal) instead of dying with namespaces left behind.
/// A second signal runs the emergency hook (journal replay) and exits at once.
public final class Cancellation: Sendable {
    public static let shared = Cancellation()

    private let received = Atomic<Int32>(0)
    private let state = Mutex<State>(State())

    private struct State {
        var sources: [any DispatchSourceSignal] = []
        var emergency: (@Sendable () -> Void)?
    }

    private init() {}

    public var isCancelled: Bool { received.load(ordering: .acquiring) != 0 }
    public var signal: Int32 { received.load(ordering: .acquiring) }

    /// Throws `Interrupted` once a signal has arrived; call it between steps of any long operation.
    public func checkpoint() throws {
        let sig = signal
        if sig != 0 { throw Interrupted(signal: sig) }
    }

    /// Installs the handlers once per process. `emergency` runs on a second signal, before `_exit`.
    public func install(emergency: @escaping @Sendable () -> Void) {
        state.withLock { state in
            state.emergency = emergency
            guard state.sources.isEmpty else { return }
            for sig in [SIGINT, SIGTERM, SIGHUP] {
                Glibc.signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                source.setEventHandler { [self] in self.handle(sig) }
                source.resume()
                state.sources.append(source)
            }
        }
    }

    /// For tests: behave as if `sig` had been delivered.
    public func simulate(_ sig: Int32) { handle(sig) }

    private func handle(_ sig: Int32) {
        let (exchanged, _) = received.compareExchange(expected: 0, desired: sig, ordering: .acquiringAndReleasing)
        if exchanged {
            ChildRegistry.shared.terminateAll()
            return
        }
        let hook = state.withLock { $0.emergency }
        ChildRegistry.shared.killAll()
        hook?()
        _exit(ExitStatus.interrupted.rawValue)
    }
}

/// Every child process benchlab spawned and has not reaped yet, so a signal can stop them all.
/// Children run in their own process group: a terminal's Ctrl-C reaches only benchlab, which then
/// stops them in order instead of racing them.
public final class ChildRegistry: Sendable {
    public static let shared = ChildRegistry()
    private let pids = Mutex<Set<pid_t>>([])
    private init() {}

    func add(_ pid: pid_t) { _ = pids.withLock { $0.insert(pid) } }
    func remove(_ pid: pid_t) { _ = pids.withLock { $0.remove(pid) } }

    public func terminateAll() { signalAll(SIGTERM) }
    public func killAll() { signalAll(SIGKILL) }

    private func signalAll(_ sig: Int32) {
        for pid in pids.withLock({ Array($0) }) { kill(-pid, sig) }
    }
}
