#if canImport(Glibc)
import Glibc
#endif
import Foundation
@testable import LabBackends
import LabConntrack
import LabNetwork
import LabPolicy
import LabSystem
import LabTestSupport
import LabTopology
@testable import LabTraffic
import Testing

extension KernelTests {
    /// The netfilter SNAT backends at the routed topology's dut, as an egress gateway whose egress IP
    /// is its address toward the server (198.18.0.5): the server sees only that address and ports in
    /// the range, unselected sources are dropped and counted, an added rule takes effect, a tiny
    /// range runs out, and removal leaves the namespace's firewall empty.
    @Suite("Netfilter SNAT on the real kernel")
    struct NetfilterSNATKernelTests {
        static func prefix(_ text: String) -> IPv4Prefix { IPv4Prefix(text)! }
        static func address(_ text: String) -> IPv4Address { IPv4Address(text)! }
        static let other = address("198.18.0.9")

        static func policy(_ mode: SNATMode, randomFully: Bool, ports: PortRange, gateway: IPv4Address) -> Policy {
            Policy(rules: [], defaultAction: .allow, snat: SNATPolicy(mode: mode, ports: ports, randomFully: randomFully, egress: [
                EgressRule(sources: [prefix("198.18.17.0/24")], egressIPs: [other]),
                EgressRule(sources: [prefix("198.18.16.0/20")], egressIPs: [gateway]),
            ]).at(gateway: gateway))
        }

        static let cases: [(BackendKind, SNATMode, Bool)] = [
            (.iptablesLegacy, .masquerade, false), (.iptablesLegacy, .snat, true),
            (.iptablesNft, .snat, false), (.iptablesNft, .masquerade, true),
            (.nftables, .masquerade, false), (.nftables, .snat, true),
        ]

        @Test("TCP and UDP leave translated, unselected sources drop and count, add() works, remove() empties", arguments: cases)
        func gateway(kind: BackendKind, mode: SNATMode, randomFully: Bool) throws {
            try withGateway(kind, label: "snat") { topology, gateway in
                let ports = PortRange(20000, 20099)!
                let policy = Self.policy(mode, randomFully: randomFully, ports: ports, gateway: gateway)
                let backend = try BackendFactory.make(kind)
                let installation = try backend.install(try backend.compile(policy), policy: policy, at: topology.filterPoint)
                var removed = false
                defer { if !removed { try? installation.remove() } }
                let translator = try #require(installation.translator)
                #expect(installation.gates["snat"]?.contains("20000-20099") == true)
                #expect(throws: BackendUnsupported.self) { try installation.update(adding: Rule(action: .deny, proto: .tcp)) }

                let tcp = try ServerSide(topology.server, port: 7101)
                let tcpPeer = try #require(try tcp.acceptTCP(from: Self.address("198.18.16.9"), client: topology.client))
                #expect(tcpPeer.address == gateway && ports.contains(tcpPeer.port), "TCP peer \(tcpPeer)")
                let udp = try ServerSide(topology.server, port: 7102, udp: true)
                let udpPeer = try #require(try udp.receiveUDP(from: Self.address("198.18.16.10"), client: topology.client))
                #expect(udpPeer.address == gateway && ports.contains(udpPeer.port), "UDP peer \(udpPeer)")
                for source in ["198.18.17.1", "198.18.40.1"] {
                    #expect(try udp.receiveUDP(from: Self.address(source), client: topology.client, waitMilliseconds: 500) == nil,
                            "\(source) is not let out through this gateway")
                }

                let stats = try translator.statistics()
                #expect(stats.flowsTranslated >= 2 && stats.droppedUnselected >= 2 && stats.allocationFailures == 0, "\(stats)")
                #expect((stats.liveMappings ?? 0) >= 2, "\(stats)")
                let counters = try installation.counters()
                #expect(counters.deniedPackets >= 2 && counters.allowedPackets >= 2)
                #expect(try installation.tracker?.occupancy() ?? 0 >= 2)

                let milliseconds = try translator.add(EgressRule(sources: [Self.prefix("198.18.40.0/24")], egressIPs: [gateway]))
                #expect(milliseconds > 0)
                #expect(installation.enforcedPolicy.snat?.egress.count == 3)
                let added = try #require(try udp.receiveUDP(from: Self.address("198.18.40.2"), client: topology.client))
                #expect(added.address == gateway && ports.contains(added.port))
                #expect(try translator.statistics().flowsTranslated > stats.flowsTranslated)

                try installation.remove()
                removed = true
                try expectEmpty(topology.filterPoint.namespace)
                #expect(try udp.receiveUDP(from: Self.address("198.18.40.3"), client: topology.client)?.address == Self.address("198.18.40.3"),
                        "after removal nothing is translated")
            }
        }

        @Test("four ports, eight connections to one server port: four succeed, the rest count as allocation failures",
              arguments: [(BackendKind.iptablesLegacy, SNATMode.masquerade, false), (.iptablesNft, .snat, true), (.nftables, .masquerade, true)])
        func exhaustion(kind: BackendKind, mode: SNATMode, randomFully: Bool) throws {
            try withGateway(kind, label: "snatx") { topology, gateway in
                let policy = Self.policy(mode, randomFully: randomFully, ports: PortRange(20000, 20003)!, gateway: gateway)
                let backend = try BackendFactory.make(kind)
                let installation = try backend.install(try backend.compile(policy), policy: policy, at: topology.filterPoint)
                defer { try? installation.remove() }
                let server = try ServerSide(topology.server, port: 7103)
                let clients = try (0..<8).map { _ in try ServerSide.connect(from: Self.address("198.18.16.9"), to: 7103, client: topology.client) }
                var accepted: [Socket] = []
                let deadline = MonotonicClock.nanoseconds() + 2_000_000_000
                while MonotonicClock.nanoseconds() < deadline {
                    if server.socket.waitReadable(milliseconds: 100), let connection = try? server.socket.accept() { accepted.append(connection) }
                }
                let peers = Set(accepted.map { connection in withExtendedLifetime(connection) { ServerSide.peer(of: connection.fd).port } })
                let stats = try installation.translator!.statistics()
                #expect(accepted.count == 4 && peers.allSatisfy { (20000...20003).contains($0) }, "accepted \(accepted.count), ports \(peers)")
                #expect(stats.allocationFailures > 0, "\(stats)")
                withExtendedLifetime(clients) {}
            }
        }

        /// A routed lab for one backend, torn down by the journal whatever happens; the root
        /// namespace's firewall must not change.
        func withGateway(_ kind: BackendKind, label: String, _ body: (Topology, IPv4Address) throws -> Void) throws {
            let rootBefore = try FirewallSnapshot.take(nil)
            try withTestJournal("\(label)-\(kind.rawValue)") { journal in
                try NetfilterKernelSupport.require(kind, journal: journal)
                let topology = try TopologyBuilder.up(.routed, journal: journal)
                let point = try #require(topology.attachmentPoint(named: TopologySpec.policyAttachment))
                let gateway = try #require(topology.egressAddress(of: point))
                #expect(gateway == Self.address("198.18.0.5"))
                try body(topology, gateway)
            }
            #expect(try FirewallSnapshot.take(nil) == rootBefore, "the root namespace's firewall changed")
        }

        /// Nothing of the install left: no nftables table, pristine legacy filter, and no legacy nat rule.
        func expectEmpty(_ namespace: String) throws {
            let snapshot = try FirewallSnapshot.take(namespace)
            #expect(snapshot.isEmpty, "\(snapshot)")
            if snapshot.legacyTables.contains("nat") {
                let nat = try Subprocess.run(Command("iptables-legacy-save", ["-t", "nat"]).inNamespace(namespace), timeout: 30).stdout
                #expect(!nat.contains("-A ") && !nat.contains("BLSNAT"), "\(nat)")
            }
        }
    }
}

/// A listening or bound socket in the server's namespace, and the client sockets that reach it.
struct ServerSide {
    let socket: Socket
    static let server = Endpoint(host: "\(AddressPlan.server)", port: 0)

    init(_ namespace: String, port: UInt16, udp: Bool = false) throws {
        socket = try NetworkNamespace.run(in: namespace) {
            let socket = try Socket(udp ? .udp : .tcp)
            try socket.bind(Endpoint(host: "\(AddressPlan.server)", port: port))
            if !udp { try socket.listen(backlog: 64) }
            return socket
        }
        self.port = port
    }
    let port: UInt16

    /// A non-blocking connect from `source` (a client-pool address) in the client namespace.
    static func connect(from source: IPv4Address, to port: UInt16, client: String) throws -> Socket {
        try NetworkNamespace.run(in: client) {
            let socket = try Socket(.tcp)
            try socket.bind(Endpoint(host: "\(source)", port: 0))
            _ = fcntl(socket.fd, F_SETFL, fcntl(socket.fd, F_GETFL) | O_NONBLOCK)
            var address = Endpoint(host: "\(AddressPlan.server)", port: port).sockaddr
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket.fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if result != 0 && errno != EINPROGRESS { throw SystemCallError("connect from \(source)", errno: errno) }
            return socket
        }
    }

    /// The peer the server sees for a TCP connection from `source`; nil when none arrives in 3 s.
    func acceptTCP(from source: IPv4Address, client: String) throws -> (address: IPv4Address, port: UInt16)? {
        let connection = try Self.connect(from: source, to: port, client: client)
        defer { withExtendedLifetime(connection) {} }
        guard socket.waitReadable(milliseconds: 3000) else { return nil }
        let accepted = try socket.accept()
        return withExtendedLifetime(accepted) { Self.peer(of: accepted.fd) }
    }

    /// The source the server sees on a datagram sent from `source`; nil when none arrives in time.
    func receiveUDP(from source: IPv4Address, client: String, waitMilliseconds: Int32 = 3000) throws -> (address: IPv4Address, port: UInt16)? {
        try NetworkNamespace.run(in: client) {
            let sender = try Socket(.udp)
            try sender.bind(Endpoint(host: "\(source)", port: 0))
            try sender.connect(Endpoint(host: "\(AddressPlan.server)", port: port))
            try [UInt8](repeating: 0x61, count: 8).withUnsafeBytes { try sender.sendAll($0) }
        }
        guard socket.waitReadable(milliseconds: waitMilliseconds) else { return nil }
        var buffer = [UInt8](repeating: 0, count: 64)
        var from = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let received = withUnsafeMutablePointer(to: &from) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(socket.fd, &buffer, buffer.count, 0, $0, &length) }
        }
        guard received >= 0 else { throw SystemCallError("recvfrom", errno: errno) }
        return (IPv4Address(UInt32(bigEndian: from.sin_addr.s_addr)), UInt16(bigEndian: from.sin_port))
    }

    static func peer(of fd: Int32) -> (address: IPv4Address, port: UInt16) {
        var peer = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &peer) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) } }
        return (IPv4Address(UInt32(bigEndian: peer.sin_addr.s_addr)), UInt16(bigEndian: peer.sin_port))
    }
}
