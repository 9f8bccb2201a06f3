#if canImport(Glibc)
import Glibc
#endif
import LabNetwork
import LabPolicy
import LabSystem

/// Real datagrams across the throwaway lab: a receiver bound in the dut namespace and a sender in
/// the client namespace (a socket keeps the namespace it was created in), bounded in count and time.
struct UDPProbe {
    let lab: ThrowawayLab

    /// Sends `count` datagrams to 198.18.0.2:`port` and returns how many arrived within `timeout`.
    func deliveredCount(port: UInt16, count: Int, timeout: Double = 2) throws -> Int {
        let receiver = try NetworkNamespace.run(in: lab.dutNamespace) { try Self.socket(bindTo: AddressPlan.clientGateway, port: port) }
        defer { close(receiver) }
        let sender = try NetworkNamespace.run(in: lab.clientNamespace) { try Self.socket(bindTo: nil, port: 0) }
        defer { close(sender) }
        var destination = Self.address(AddressPlan.clientGateway, port)
        let payload = [UInt8](repeating: 0x62, count: 32)
        for _ in 0..<count {
            _ = try systemCall("send a probe datagram") {
                withUnsafePointer(to: &destination) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(sender, payload, payload.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
            }
        }
        var received = 0
        let deadline = Deadline(secondsFromNow: timeout)
        var buffer = [UInt8](repeating: 0, count: 256)
        while received < count, !deadline.hasPassed {
            var descriptor = pollfd(fd: receiver, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 50) > 0 else { continue }
            while recv(receiver, &buffer, buffer.count, Int32(MSG_DONTWAIT)) > 0 { received += 1 }
        }
        return received
    }

    static func socket(bindTo address: IPv4Address?, port: UInt16) throws -> Int32 {
        let fd = try systemCall("open a UDP socket") { Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0) }
        guard let address else { return fd }
        var local = Self.address(address, port)
        do {
            try systemCall("bind UDP \(address):\(port)") {
                withUnsafePointer(to: &local) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
            }
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    static func address(_ address: IPv4Address, _ port: UInt16) -> sockaddr_in {
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = port.bigEndian
        socketAddress.sin_addr = in_addr(s_addr: address.value.bigEndian)
        return socketAddress
    }
}
