import LabBackends
import LabBPF
import LabPolicy
import LabTopology
import Testing

@Suite("BPF conntrack backends")
struct CTBackendTests {
    static let stateless = Policy(rules: [Rule(action: .allow, proto: .udp)], defaultAction: .deny)
    static let stateful = Policy(rules: [Rule(action: .allow, proto: .udp)], defaultAction: .deny, tracking: ConnectionTracking())
    static let ctKinds: [BackendKind] = [.xdpCtLRU, .tcCtLRU, .xdpCtSwept, .tcCtSwept, .xdpCtKfunc, .tcCtKfunc]

    @Test("the ct backends are eBPF, track connections, and refuse a stateless policy with one clear line", arguments: ctKinds)
    func refuseStateless(kind: BackendKind) throws {
        #expect(kind.family == .ebpf && kind.tracksConnections)
        let backend = try BackendFactory.make(kind)
        #expect(backend.kind == kind)
        let error = #expect(throws: BackendUnsupported.self) { try backend.compile(Self.stateless) }
        #expect(error?.description.contains("needs a stateful policy") == true)
        let artifact = try backend.compile(Self.stateful)
        #expect(artifact.text.hasPrefix("# tracker "))
    }

    @Test("the kfunc artifact names both of its tables: nf_conntrack for TCP and UDP, its own LRU for ICMP echo",
          arguments: [BackendKind.xdpCtKfunc, .tcCtKfunc])
    func kfuncArtifactNamesTables(kind: BackendKind) throws {
        let header = try BackendFactory.make(kind).compile(Self.stateful).text.split(separator: "\n")[0]
        #expect(header.hasPrefix("# tracker nf_conntrack through kfuncs (TCP, UDP), ICMP echo in a 4096-entry lru (BPF_MAP_TYPE_LRU_HASH);"),
                "\(header)")
    }

    @Test("a ct backend refuses a non-forwarding point before loading anything", arguments: ctKinds)
    func refuseInputPoint(kind: BackendKind) throws {
        let backend = try BackendFactory.make(kind)
        let point = FilterPoint(namespace: "bl-none-dut", ingressInterface: "bl0-s0", egressInterface: nil, hook: .input)
        let error = #expect(throws: BackendUnsupported.self) {
            try backend.install(try backend.compile(Self.stateful), policy: Self.stateful, at: point)
        }
        #expect(error?.description.contains("forwarding filter point") == true)
    }

    @Test("the stateless xdp and tc backends refuse a stateful policy", arguments: [BackendKind.xdp, .tc])
    func statelessRefusesStateful(kind: BackendKind) throws {
        let backend = try BackendFactory.make(kind)
        #expect(!kind.tracksConnections)
        let error = #expect(throws: BackendUnsupported.self) { try backend.compile(Self.stateful) }
        #expect(error?.description.contains("tracks no connections") == true)
    }

    @Test("entry lifetimes follow the protocol and TCP state, as the program computes them")
    func lifetimes() {
        let lifetimes = CTLifetimes(ConntrackTimeouts(tcpSyn: 1, tcpEstablished: 2, tcpClose: 3, udp: 4, icmp: 5))
        #expect(lifetimes.nanoseconds(proto: 6, state: 1) == 1_000_000_000)
        #expect(lifetimes.nanoseconds(proto: 6, state: 2) == 2_000_000_000)
        #expect(lifetimes.nanoseconds(proto: 6, state: 3) == 3_000_000_000)
        #expect(lifetimes.nanoseconds(proto: 17, state: 0) == 4_000_000_000)
        #expect(lifetimes.nanoseconds(proto: 1, state: 0) == 5_000_000_000)
    }
}
