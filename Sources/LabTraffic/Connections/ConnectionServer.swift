#if canImport(Glibc)
import Glibc
#endif
import LabNetwork
import LabSystem

/// The server side of the connection workloads (`benchlab agent conn-server`): a TCP echo server for
/// many connections at once — short ones arriving thousands per second and long-lived ones kept
/// open — in one poll(2) loop with non-blocking sockets. (The rr-server serves one connection at a
/// time, which is right for the latency workload and would serialise churn.) It echoes what each
/// connection sends and closes when the peer does; runs until `deadline` or SIGTERM.
public enum ConnectionServer {
    public static func serve(bind endpoint: Endpoint, deadline seconds: Double, ready: () -> Void) throws {
        let deadline = Deadline(secondsFromNow: seconds)
        let listener = try Socket(.tcp)
        try listener.bind(endpoint)
        try listener.listen(backlog: 4096)
        try listener.setNonBlocking()
        ready()
        var connections: [Socket] = []
        var entries: [pollfd] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while !deadline.hasPassed && !Cancellation.shared.isCancelled {
            entries.removeAll(keepingCapacity: true)
            entries.append(pollfd(fd: listener.fd, events: Int16(POLLIN), revents: 0))
            for connection in connections { entries.append(pollfd(fd: connection.fd, events: Int16(POLLIN), revents: 0)) }
            let ready = entries.withUnsafeMutableBufferPointer { Glibc.poll($0.baseAddress, nfds_t($0.count), 200) }
            guard ready > 0 else { continue }
            var closed = Set<Int32>()
            for entry in entries.dropFirst() where entry.revents != 0 {
                let n = buffer.withUnsafeMutableBytes { Glibc.recv(entry.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                if n > 0 {
                    // Requests are small: the reply fits the socket buffer at once; one that does not is dropped.
                    let sent = buffer.withUnsafeBytes { Glibc.send(entry.fd, $0.baseAddress, n, Int32(MSG_DONTWAIT | MSG_NOSIGNAL)) }
                    if sent < 0 && errno != EAGAIN { closed.insert(entry.fd) }
                } else if n == 0 || (errno != EAGAIN && errno != EINTR) {
                    closed.insert(entry.fd)
                }
            }
            if !closed.isEmpty { connections.removeAll { closed.contains($0.fd) } }
            if entries[0].revents != 0 {
                // Take every pending connection: a burst of SYNs must not wait one poll round each.
                while let connection = try? listener.acceptNonBlocking() {
                    try? connection.setOption(Int32(IPPROTO_TCP), TCP_NODELAY, 1, "TCP_NODELAY")
                    connections.append(connection)
                }
            }
        }
    }
}

extension Socket {
    func setNonBlocking() throws {
        let flags = fcntl(fd, F_GETFL)
        try systemCall("set O_NONBLOCK") { fcntl(fd, F_SETFL, flags | O_NONBLOCK) }
    }

    /// A pending connection as a non-blocking, close-on-exec socket; nil when none is pending.
    /// (accept4 is not visible from Swift's Glibc module without _GNU_SOURCE.)
    func acceptNonBlocking() throws -> Socket? {
        let client = Glibc.accept(fd, nil, nil)
        guard client >= 0 else {
            if errno == EAGAIN || errno == EINTR || errno == ECONNABORTED { return nil }
            throw SystemCallError("accept", errno: errno)
        }
        _ = fcntl(client, F_SETFD, FD_CLOEXEC)
        let accepted = Socket(adopting: client, kind: .tcp)
        try accepted.setNonBlocking()
        return accepted
    }
}
