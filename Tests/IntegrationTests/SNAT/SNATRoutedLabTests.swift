#if canImport(Glibc)
import Glibc
#endif
import LabBackends
import LabBPF
import LabNetwork
import LabPolicy
import LabSystem
import LabTestSupport
import LabTopology
import Testing

extension KernelTests {
    /// tc-snat on a real routed lab (client → dut → server): installed at the dut's policy point, it
    /// translates at the dut's interface toward the server (198.18.0.5). The server's sockets see the
    /// egress IP and a port of the range as the peer; replies reach the client.
    @Suite("BPF SNAT on a routed lab")
    struct SNATRoutedLabTests {
        static let ports = PortRange(20000, 20999)!

        static func policy(kind: CTTableKind) -> Policy {
            let snat = SNATPolicy(ports: ports, egress: [EgressRule(sources: [IPv4Prefix(address: AddressPlan.client, length: 32)!],
                                                                   egressIPs: [AddressPlan.dutServerSide])])
            return Policy(rules: [], defaultAction: .allow,
                          tracking: ConnectionTracking(timeouts: ConntrackTimeouts(tcpSyn: 120, tcpEstablished: 432_000, tcpClose: 120,
                                                                                   udp: 1, icmp: 1),
                                                       tableSize: 4096,
                                                       sweep: SweepSettings(mode: .fixed, intervalMilliseconds: 200, floorMilliseconds: 100,
                                                                            ceilingMilliseconds: 1000)),
                          snat: snat.at(gateway: AddressPlan.dutServerSide))
        }

        @Test("TCP and UDP from the client reach the server as 198.18.0.5 with a port in range; replies come back",
              arguments: [CTTableKind.lru, .swept])
        func translatesThroughTheLab(kind: CTTableKind) throws {
            try BPFTestEnvironment.requireNamespaces()
            try withTestJournal("snat") { journal in
                let topology = try TopologyBuilder.up(.routed, journal: journal)
                let backend = SNATBackend(table: kind)
                let policy = Self.policy(kind: kind)
                let installation = try backend.install(try backend.compile(policy), policy: policy, at: topology.filterPoint)
                defer { try? installation.remove() }
                #expect(installation.gates["snat"] == "tc-bpf")
                #expect(installation.gates["tc_hook"] == "tcx")
                #expect(installation.gates["drop_point"] == "tc egress (tcx)")
                #expect(installation.gates["nat_map_type"] == kind.mapTypeName)

                // UDP: the server answers whoever it saw; the answer must reach the client's socket.
                let udpServer = try NetworkNamespace.run(in: topology.server) { try Sockets.bound(.udp, AddressPlan.server, 5000) }
                defer { close(udpServer) }
                let udpClient = try NetworkNamespace.run(in: topology.client) { try Sockets.open(.udp) }
                defer { close(udpClient) }
                try Sockets.send(udpClient, [1, 2, 3], to: AddressPlan.server, 5000)
                let (datagram, peer) = try Sockets.receive(udpServer)
                #expect(datagram == [1, 2, 3])
                #expect(peer.address == AddressPlan.dutServerSide)
                #expect(Self.ports.contains(peer.port), "UDP source port \(peer.port)")
                try Sockets.send(udpServer, [4, 5], to: peer.address, peer.port)
                #expect(try Sockets.receive(udpClient).data == [4, 5])

                // TCP: connect, then the accepted socket's peer and an echo both ways.
                let listener = try NetworkNamespace.run(in: topology.server) { try Sockets.bound(.tcp, AddressPlan.server, 5201) }
                defer { close(listener) }
                #expect(listen(listener, 8) == 0)
                let tcpClient = try NetworkNamespace.run(in: topology.client) { try Sockets.open(.tcp) }
                defer { close(tcpClient) }
                try Sockets.connect(tcpClient, AddressPlan.server, 5201)
                let (accepted, tcpPeer) = try Sockets.accept(listener)
                defer { close(accepted) }
                #expect(tcpPeer.address == AddressPlan.dutServerSide)
                #expect(Self.ports.contains(tcpPeer.port), "TCP source port \(tcpPeer.port)")
                #expect(write(tcpClient, [UInt8]([7, 8, 9]), 3) == 3)
                let got = try Sockets.read(accepted, 3)
                let counters = try installation.tracker?.statistics().filter { $0.value > 0 } ?? [:]
                #expect(got == [7, 8, 9], "server read \(got); counters \(counters)")
                #expect(write(accepted, [UInt8]([6]), 1) == 1)
                #expect(try Sockets.read(tcpClient, 1) == [6])

                let statistics = try #require(installation.translator).statistics()
                #expect(statistics.flowsTranslated >= 2)
                #expect(statistics.allocationFailures == 0)
                #expect((statistics.liveMappings ?? 0) >= 2)
                #expect(try #require(installation.tracker).occupancy() >= 2)
                // A new egress rule goes into the trie and into the enforced policy.
                let milliseconds = try #require(installation.translator).add(EgressRule(sources: [IPv4Prefix("10.7.0.0/16")!],
                                                                                         egressIPs: [AddressPlan.dutServerSide]))
                #expect(milliseconds >= 0)
                #expect(installation.enforcedPolicy.snat?.egress.count == 2)
                #expect(try installation.installedEntries() == 2)

                // The UDP mapping expires after 1 s: the swept collector deletes it, the LRU keeps it (expired, reusable).
                if kind == .swept {
                    let tracker = try #require(installation.tracker)
                    let deadline = Deadline(secondsFromNow: 5)
                    while tracker.sweeps().reduce(0, { $0 + $1.deleted }) == 0, !deadline.hasPassed { usleep(100_000) }
                    #expect(tracker.sweeps().reduce(0) { $0 + $1.deleted } == 1)
                    #expect(try tracker.occupancy() == 1) // the TCP connection's
                    #expect(try installation.translator?.statistics().liveMappings == 1)
                }
                for sample in try installation.microbenchmarks() { print("tc-snat/\(kind.rawValue) \(sample.metric) \(sample.value)") }
            }
        }
    }
}

/// Blocking sockets with short timeouts for the routed-lab test (a socket keeps the namespace it was
/// opened in).
enum Sockets {
    enum Kind { case tcp, udp }

    static func open(_ kind: Kind) throws -> Int32 {
        let fd = try systemCall("open a socket") {
            socket(AF_INET, Int32(kind == .tcp ? SOCK_STREAM.rawValue : SOCK_DGRAM.rawValue), 0)
        }
        var timeout = timeval(tv_sec: 3, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    static func bound(_ kind: Kind, _ address: IPv4Address, _ port: UInt16) throws -> Int32 {
        let fd = try open(kind)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var local = UDPProbe.address(address, port)
        do {
            try systemCall("bind \(address):\(port)") {
                withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            }
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    static func connect(_ fd: Int32, _ address: IPv4Address, _ port: UInt16) throws {
        var remote = UDPProbe.address(address, port)
        try systemCall("connect to \(address):\(port)") {
            withUnsafePointer(to: &remote) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        }
    }

    static func send(_ fd: Int32, _ data: [UInt8], to address: IPv4Address, _ port: UInt16) throws {
        var remote = UDPProbe.address(address, port)
        _ = try systemCall("send to \(address):\(port)") {
            withUnsafePointer(to: &remote) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Int32(sendto(fd, data, data.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))) }
            }
        }
    }

    static func receive(_ fd: Int32) throws -> (data: [UInt8], peer: (address: IPv4Address, port: UInt16)) {
        var buffer = [UInt8](repeating: 0, count: 2048)
        var peer = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let count = try systemCall("receive a datagram") {
            withUnsafeMutablePointer(to: &peer) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Int32(recvfrom(fd, &buffer, buffer.count, 0, $0, &length)) }
            }
        }
        return (Array(buffer.prefix(Int(count))), Self.peer(peer))
    }

    static func accept(_ listener: Int32) throws -> (Int32, (address: IPv4Address, port: UInt16)) {
        var peer = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let fd = try systemCall("accept a connection") {
            withUnsafeMutablePointer(to: &peer) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.accept(listener, $0, &length) } }
        }
        return (fd, Self.peer(peer))
    }

    static func read(_ fd: Int32, _ count: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        let got = try systemCall("read from a connection") { Int32(Glibc.read(fd, &buffer, count)) }
        return Array(buffer.prefix(Int(got)))
    }

    static func peer(_ address: sockaddr_in) -> (address: IPv4Address, port: UInt16) {
        (IPv4Address(UInt32(bigEndian: address.sin_addr.s_addr)), UInt16(bigEndian: address.sin_port))
    }
}
