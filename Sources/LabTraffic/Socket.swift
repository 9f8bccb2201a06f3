#if canImport(Glibc)
import Glibc
#endif
import LabSystem

/// A TCP or UDP IPv4 socket that closes itself. The small surface the round-trip agents need.
final class Socket {
    let fd: Int32
    let kind: Kind

    enum Kind { case tcp, udp, raw }

    /// A raw IPv4 socket for `proto` (root only): used for ICMP echo probes.
    init(raw proto: Int32) throws {
        kind = .raw
        fd = try systemCall("open raw socket") { socket(AF_INET, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), proto) }
    }

    init(_ kind: Kind) throws {
        self.kind = kind
        let type = kind == .tcp ? Int32(SOCK_STREAM.rawValue) : Int32(SOCK_DGRAM.rawValue)
        fd = try systemCall("open \(kind) socket") { socket(AF_INET, type | Int32(SOCK_CLOEXEC.rawValue), 0) }
    }

    private init(fd: Int32, kind: Kind) {
        self.fd = fd
        self.kind = kind
    }

    /// Takes ownership of a descriptor opened elsewhere (accept4, a non-blocking socket).
    convenience init(adopting fd: Int32, kind: Kind) {
        self.init(fd: fd, kind: kind)
    }

    deinit { close(fd) }

    func setOption(_ level: Int32, _ name: Int32, _ value: Int32, _ what: String) throws {
        var value = value
        try systemCall("set \(what)") { setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) }
    }

    func setReceiveTimeout(_ seconds: Double) throws {
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1e6))
        try systemCall("set SO_RCVTIMEO") { setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size)) }
    }

    func bind(_ endpoint: Endpoint) throws {
        if kind != .raw { try setOption(SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR") }
        var address = endpoint.sockaddr
        try systemCall("bind \(endpoint)") {
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
    }

    func connect(_ endpoint: Endpoint) throws {
        var address = endpoint.sockaddr
        try systemCall("connect to \(endpoint)") {
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
    }

    func listen(backlog: Int32 = 1024) throws {
        try systemCall("listen") { Glibc.listen(fd, backlog) }
    }

    func accept() throws -> Socket {
        let client = try systemCall("accept") { Glibc.accept(fd, nil, nil) }
        _ = fcntl(client, F_SETFD, FD_CLOEXEC)
        return Socket(fd: client, kind: .tcp)
    }

    /// Sends all of `bytes` (TCP may take several writes).
    func sendAll(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = try systemCall("send") { Glibc.send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            offset += n
        }
    }

    /// Reads exactly `count` bytes into `buffer`; false on orderly EOF.
    func receiveExactly(_ buffer: UnsafeMutableRawBufferPointer, count: Int) throws -> Bool {
        var offset = 0
        while offset < count {
            let n = try systemCall("receive") { Glibc.recv(fd, buffer.baseAddress! + offset, count - offset, 0) }
            if n == 0 { return false }
            offset += n
        }
        return true
    }

    /// poll(2) for readability, in milliseconds; true when data (or EOF) is waiting.
    func waitReadable(milliseconds: Int32) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return Glibc.poll(&entry, 1, milliseconds) > 0
    }
}

/// An IPv4 address and port, parsed from "a.b.c.d:port".
public struct Endpoint: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: UInt16

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    public init?(_ text: String) {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let port = UInt16(parts[1]), inet_addr(String(parts[0])) != INADDR_NONE else { return nil }
        self.init(host: String(parts[0]), port: port)
    }

    var sockaddr: sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr(host)
        return address
    }

    public var description: String { "\(host):\(port)" }
}
