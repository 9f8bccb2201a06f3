#if canImport(Glibc)
import Glibc
#endif
import LabNetwork
import LabSystem

/// Non-blocking TCP connects in flight, each with its own bound, driven by one poll(2): the SNAT
/// agents open thousands of connections from many sources at once without a thread per connection.
/// A connect that has no answer within `timeout` is a failure (`connect_timeout`) and its socket is
/// closed: the bound is shorter than the first SYN retransmission (1 s), so a SYN the NAT dropped is
/// never retried through another port.
final class ConnectAttempts {
    struct Pending {
        let socket: Socket
        let startedAt: UInt64
    }

    /// What `poll` settled: connections that opened (with their connect time) and failures.
    struct Settled {
        var opened: [(socket: Socket, nanoseconds: UInt64)] = []
        var failed: [FlowFailure] = []
        var firstError: String?
    }

    let target: Endpoint
    let timeoutNanoseconds: UInt64
    private(set) var pending: [Pending] = []

    init(target: Endpoint, timeout: Double) {
        self.target = target
        timeoutNanoseconds = UInt64(timeout * 1e9)
    }

    var inFlight: Int { pending.count }

    /// Starts one connect from `source` (the kernel picks the port at connect time, so two sources
    /// share no port space). A failure to even start (no free local port, out of descriptors) is
    /// returned as a settled failure.
    func start(from source: IPv4Address) -> (FlowFailure, String)? {
        do {
            let socket = try Socket(.tcp)
            // IP_BIND_ADDRESS_NO_PORT (24): bind the address only; the port is chosen by connect for the
            // 4-tuple, as a pod's own stack would, instead of reserving it for every destination.
            try socket.setOption(Int32(IPPROTO_IP), 24, 1, "IP_BIND_ADDRESS_NO_PORT")
            try socket.bind(Endpoint(host: "\(source)", port: 0))
            try socket.setNonBlocking()
            do {
                try socket.connect(target)
            } catch let error as SystemCallError where error.errno == EINPROGRESS {}
            pending.append(Pending(socket: socket, startedAt: MonotonicClock.nanoseconds()))
            return nil
        } catch let error as SystemCallError {
            return (FlowFailure.from(errno: error.errno, connecting: true), "\(error)")
        } catch {
            return (.other, "\(error)")
        }
    }

    /// Waits up to `milliseconds` for connects to settle and returns those that did (opened or
    /// failed, including the ones past their bound).
    func poll(milliseconds: Int32) -> Settled {
        var settled = Settled()
        guard !pending.isEmpty else { return settled }
        var entries = pending.map { pollfd(fd: $0.socket.fd, events: Int16(POLLOUT), revents: 0) }
        _ = entries.withUnsafeMutableBufferPointer { Glibc.poll($0.baseAddress, nfds_t($0.count), milliseconds) }
        let now = MonotonicClock.nanoseconds()
        var still: [Pending] = []
        for (entry, attempt) in zip(entries, pending) {
            if entry.revents != 0 {
                var code: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(attempt.socket.fd, SOL_SOCKET, SO_ERROR, &code, &length)
                if code == 0 {
                    settled.opened.append((attempt.socket, now - attempt.startedAt))
                } else {
                    settled.failed.append(FlowFailure.from(errno: code, connecting: true))
                    if settled.firstError == nil { settled.firstError = String(cString: strerror(code)) }
                    attempt.socket.closeWithReset()
                }
            } else if now - attempt.startedAt > timeoutNanoseconds {
                settled.failed.append(.connectTimeout)
                attempt.socket.closeWithReset()
            } else {
                still.append(attempt)
            }
        }
        pending = still
        return settled
    }

    /// Abandons every connect in flight (closed with RST).
    func abandonAll() {
        for attempt in pending { attempt.socket.closeWithReset() }
        pending.removeAll()
    }
}

extension Socket {
    /// SO_LINGER 0: the close that follows sends RST instead of FIN, so neither end keeps the
    /// connection in TIME_WAIT and a tracker moves it to its close state at once. (The descriptor
    /// itself is closed when the last reference goes.)
    func closeWithReset() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
    }

    /// Whether the connection is still open: no error, hang-up or end of stream pending. The peers of
    /// the SNAT ramp never send, so anything readable is the end.
    var isOpen: Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN) | Int16(0x2000 /* POLLRDHUP */), revents: 0)
        return Glibc.poll(&entry, 1, 0) == 0
    }
}
