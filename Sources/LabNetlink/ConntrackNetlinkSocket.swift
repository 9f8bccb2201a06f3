#if canImport(Glibc)
import Glibc
#endif
import CNetfilterConntrack
import Foundation
import LabSystem

/// One ctnetlink socket (libmnl). A netlink socket speaks for the network namespace it was created
/// in for its whole life, whatever thread uses it later: so it is created on a thread that entered
/// the lab namespace (`NetworkNamespace.run`), which then returns to where it was.
final class ConntrackNetlinkSocket {
    let namespace: String
    private let socket: OpaquePointer
    private var sequence: UInt32 = 1
    /// One request at a time: a tracker is read from several threads at once (the conntrack
    /// collector's sampler, the workload's own polls), and a second reader on the socket would take
    /// the first one's answer, which it discards as stale while the first waits out its timeout.
    private let exchange = NSLock()
    private var receiveBuffer = [UInt8](repeating: 0, count: 1 << 16)

    /// `groups`: multicast groups to join (NFNLGRP_CONNTRACK_*), none for a request socket.
    init(namespace: String, groups: [UInt32] = []) throws {
        self.namespace = namespace
        socket = try NetworkNamespace.run(in: namespace) {
            guard let socket = mnl_socket_open(NETLINK_NETFILTER) else {
                throw SystemCallError("open a netfilter netlink socket in namespace \(namespace)", errno: errno)
            }
            return socket
        }
        do {
            try systemCall("bind the netfilter netlink socket in namespace \(namespace)") {
                mnl_socket_bind(socket, 0, pid_t(MNL_SOCKET_AUTOPID))
            }
            for var group in groups {
                try systemCall("join netfilter netlink group \(group) in namespace \(namespace)") {
                    mnl_socket_setsockopt(socket, NETLINK_ADD_MEMBERSHIP, &group, socklen_t(MemoryLayout<UInt32>.size))
                }
            }
            // A request answered by nothing (a bug, a wedged kernel) must not hang the run.
            try setReceiveTimeout(seconds: 2)
        } catch {
            mnl_socket_close(socket)
            throw error
        }
    }

    deinit { mnl_socket_close(socket) }

    var fd: Int32 { mnl_socket_get_fd(socket) }

    func setReceiveTimeout(seconds: Double) throws {
        var timeout = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - seconds.rounded(.down)) * 1e6))
        try systemCall("set the netlink receive timeout") {
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }
    }

    /// Sends a ctnetlink request whose payload is just the nfgenmsg header, and returns the bytes of
    /// the whole answer: the one reply (or ack, with `acknowledge`), or every message of a dump
    /// through NLMSG_DONE (or an error).
    func request(_ type: UInt16, dump: Bool, acknowledge: Bool = false) throws -> [UInt8] {
        exchange.lock()
        defer { exchange.unlock() }
        sequence &+= 1
        let seq = sequence
        var request = [UInt8](repeating: 0, count: 64)
        let length = request.withUnsafeMutableBytes { raw -> Int in
            let header = mnl_nlmsg_put_header(raw.baseAddress)!
            header.pointee.nlmsg_type = type
            header.pointee.nlmsg_flags = UInt16(NLM_F_REQUEST | (dump ? NLM_F_DUMP : 0) | (acknowledge ? NLM_F_ACK : 0))
            header.pointee.nlmsg_seq = seq
            let nfg = mnl_nlmsg_put_extra_header(header, MemoryLayout<nfgenmsg>.size)!.assumingMemoryBound(to: nfgenmsg.self)
            nfg.pointee.nfgen_family = UInt8(AF_UNSPEC)
            nfg.pointee.version = UInt8(NFNETLINK_V0)
            nfg.pointee.res_id = 0
            return Int(header.pointee.nlmsg_len)
        }
        let context = "ctnetlink request 0x\(String(type, radix: 16)) in namespace \(namespace)"
        try systemCall(context) { request.withUnsafeBytes { mnl_socket_sendto(socket, $0.baseAddress, length) } }
        var answer: [UInt8] = []
        while true {
            let datagram = try receive(context: context)
            var finished = !dump
            var stale = false
            try NetlinkBuffer(datagram).forEachMessage(context: context) { message in
                if message.pointee.nlmsg_seq != seq { stale = true; return }
                let type = Int32(message.pointee.nlmsg_type)
                if type == NLMSG_DONE || type == NLMSG_ERROR { finished = true }
            }
            // A late answer to an earlier request that timed out is not this one's.
            if stale { continue }
            answer += datagram
            if finished { return answer }
        }
    }

    /// One datagram. Throws SystemCallError (ENOBUFS when the kernel dropped messages for want of
    /// buffer space; EAGAIN when the receive timeout passed).
    func receive(context: String) throws -> [UInt8] {
        let count = try receiveBuffer.withUnsafeMutableBytes { raw in
            try systemCall(context) { mnl_socket_recvfrom(socket, raw.baseAddress, raw.count) }
        }
        return Array(receiveBuffer[0..<count])
    }
}
