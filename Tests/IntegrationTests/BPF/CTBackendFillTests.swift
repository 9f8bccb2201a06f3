#if canImport(Glibc)
import Glibc
#endif
import LabBackends
import LabNetwork
import LabPolicy
import LabSystem
import LabTestSupport
import LabTopology
import Testing

extension KernelTests {
    /// The ct backends installed on a routed lab with real UDP flows from the client namespace: a
    /// small fill, its expiry reclaimed by the swept tracker's collector, and an LRU table too small
    /// for the fill.
    @Suite("BPF conntrack backends on a routed lab")
    struct CTBackendFillTests {
        static func policy(tableSize: Int) -> Policy {
            Policy(rules: [Rule(action: .allow, proto: .udp, destinationPorts: PortRange(port: 5000)), Rule(action: .allow, proto: .icmp)],
                   defaultAction: .deny,
                   tracking: ConnectionTracking(timeouts: ConntrackTimeouts(tcpSyn: 5, tcpEstablished: 60, tcpClose: 5, udp: 1, icmp: 1),
                                                tableSize: tableSize,
                                                sweep: SweepSettings(mode: .fixed, intervalMilliseconds: 200, floorMilliseconds: 100,
                                                                     ceilingMilliseconds: 1000)))
        }

        /// One datagram from each of `count` fresh sockets (each its own source port) to the server.
        static func sendFlows(_ topology: Topology, count: Int) throws {
            try NetworkNamespace.run(in: topology.client) {
                var destination = UDPProbe.address(AddressPlan.server, 5000)
                for _ in 0..<count {
                    let socket = try UDPProbe.socket(bindTo: nil, port: 0)
                    defer { close(socket) }
                    _ = withUnsafePointer(to: &destination) { pointer in
                        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                            sendto(socket, [UInt8](repeating: 0x61, count: 16), 16, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                        }
                    }
                }
            }
        }

        static func ping(from namespace: String, to address: IPv4Address) throws -> Bool {
            try Subprocess.run(Command("ping", ["-c", "1", "-W", "1", address.description]).inNamespace(namespace), timeout: 10).succeeded
        }

        @Test("swept: a few hundred UDP flows fill the table and the collector reclaims them after their timeout",
              arguments: [BackendKind.tcCtSwept, .xdpCtSwept])
        func sweptFillAndExpiry(kind: BackendKind) throws {
            try BPFTestEnvironment.requireNamespaces()
            try withTestJournal("ct") { journal in
                let topology = try TopologyBuilder.up(.routed, journal: journal)
                let backend = try BackendFactory.make(kind)
                let policy = Self.policy(tableSize: 4096)
                let installation = try backend.install(try backend.compile(policy), policy: policy, at: topology.filterPoint)
                defer { try? installation.remove() }
                let tracker = try #require(installation.tracker)
                #expect(try tracker.startDeletionLog())
                #expect(installation.gates["ct_map_type"] == "BPF_MAP_TYPE_HASH")
                // Through the real lab: the echo reply passes as the reply of the client's request; the
                // server's own request is unsolicited on the server side.
                #expect(try Self.ping(from: topology.client, to: AddressPlan.server))
                #expect(try !Self.ping(from: topology.server, to: AddressPlan.client))
                try Self.sendFlows(topology, count: 300)
                let created = try tracker.statistics()["created"] ?? 0
                #expect(created >= 290, "created \(created)") // a first datagram may wait on ARP and be dropped by the kernel, not us
                let deadline = Deadline(secondsFromNow: 5)
                while try tracker.occupancy() > 0, !deadline.hasPassed { usleep(100_000) }
                #expect(try tracker.occupancy() == 0)
                let deletions = try tracker.drainDeletions()
                #expect(UInt64(deletions.count) == created)
                #expect(tracker.sweeps().reduce(0) { $0 + $1.deleted } == Int(created))
                #expect(tracker.collectorCPUNanoseconds() > 0)
                for sample in try installation.microbenchmarks() { print("\(kind.rawValue) \(sample.metric) \(sample.value)") }
            }
        }

        @Test("lru: a table smaller than the fill keeps at most its size, refuses nothing, and logs no deletions",
              arguments: [BackendKind.tcCtLRU, .xdpCtLRU])
        func lruFill(kind: BackendKind) throws {
            try BPFTestEnvironment.requireNamespaces()
            try withTestJournal("ct") { journal in
                let topology = try TopologyBuilder.up(.routed, journal: journal)
                let backend = try BackendFactory.make(kind)
                let policy = Self.policy(tableSize: 64)
                let installation = try backend.install(try backend.compile(policy), policy: policy, at: topology.filterPoint)
                defer { try? installation.remove() }
                let tracker = try #require(installation.tracker)
                #expect(try !tracker.startDeletionLog())
                try Self.sendFlows(topology, count: 300)
                #expect(try tracker.occupancy() <= 64)
                #expect(try tracker.statistics()["refused_full"] == 0)
                #expect(try (tracker.statistics()["created"] ?? 0) >= 290)
                try tracker.resize(to: 128)
                #expect(try tracker.capacity() == 128 && tracker.occupancy() == 0)
                for sample in try installation.microbenchmarks() { print("\(kind.rawValue) \(sample.metric) \(sample.value)") }
            }
        }

        @Test("kfunc: the flows land in the namespace's nf_conntrack table, counted by the tracker view",
              arguments: [BackendKind.tcCtKfunc, .xdpCtKfunc])
        func kfuncFill(kind: BackendKind) throws {
            try BPFTestEnvironment.requireNamespaces()
            try withTestJournal("ct") { journal in
                let topology = try TopologyBuilder.up(.routed, journal: journal)
                let backend = try BackendFactory.make(kind)
                let policy = Self.policy(tableSize: 4096)
                let installation: any Installation
                do {
                    installation = try backend.install(try backend.compile(policy), policy: policy, at: topology.filterPoint)
                } catch let error as BackendUnsupported {
                    #expect(error.reason.hasPrefix("not available on this kernel: "))
                    try Test.cancel(Comment(rawValue: error.description))
                }
                defer { try? installation.remove() }
                let tracker = try #require(installation.tracker)
                #expect(tracker.kind == .bpfKfunc && installation.gates["ct_map_type"] == "nf_conntrack")
                #expect(try tracker.startDeletionLog(), "the view reads nf_conntrack's destroy-event stream")
                try Self.sendFlows(topology, count: 300)
                let created = try tracker.statistics()["created"] ?? 0
                #expect(created >= 290, "created \(created)")
                #expect(try tracker.occupancy() >= Int(created))
                for sample in try installation.microbenchmarks() { print("\(kind.rawValue) \(sample.metric) \(sample.value)") }
            }
        }
    }
}
