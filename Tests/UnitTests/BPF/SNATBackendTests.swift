import Foundation
import LabBackends
import LabBPF
import LabNetwork
import LabPolicy
import LabTopology
import Testing

@Suite("BPF SNAT backend (tc-snat)")
struct SNATBackendTests {
    static let gateway = IPv4Address("198.18.0.5")!
    static let other = IPv4Address("198.18.0.9")!

    /// Rule order matters: /25 inside the first rule's /24 is shadowed; the /26 drop rule's prefix is
    /// contained in the later /16 translate rule and must stay to keep its pods from leaving here.
    static let snat = SNATPolicy(mode: .snat, ports: PortRange(20000, 29999)!, egress: [
        EgressRule(sources: [IPv4Prefix("10.0.0.0/24")!], egressIPs: [gateway, other]),
        EgressRule(sources: [IPv4Prefix("10.0.0.0/25")!, IPv4Prefix("10.1.2.0/26")!], egressIPs: [other]),
        EgressRule(sources: [IPv4Prefix("10.1.0.0/16")!], egressIPs: [other, gateway]),
        EgressRule(sources: [IPv4Prefix("10.0.0.0/24")!], egressIPs: [other]),
    ])
    static let policy = Policy(rules: [], defaultAction: .allow, snat: snat.at(gateway: gateway))

    @Test("the selection keeps first-match semantics in an LPM trie: shadowed prefixes out, drop prefixes kept")
    func selectionFirstMatch() {
        let entries = SNATSelection.entries(Self.snat.at(gateway: Self.gateway))
        #expect(entries.map(\.description) == ["10.0.0.0/24 translate", "10.1.2.0/26 drop", "10.1.0.0/16 translate"])
        // The trie's answer (longest prefix) equals the reference's (first rule) for every address.
        for text in ["10.0.0.1", "10.0.0.200", "10.1.2.7", "10.1.2.70", "10.1.9.9", "10.2.0.1", "10.0.1.1"] {
            let address = IPv4Address(text)!
            let longest = entries.filter { $0.prefix.contains(address) }.max { $0.prefix.length < $1.prefix.length }
            let reference = EgressReference.verdict(Self.snat, gateway: Self.gateway, source: address)
            #expect((longest?.translate ?? false) == (reference == .translate(Self.gateway)), "\(text)")
        }
    }

    @Test("tc-snat is registered, is eBPF, and its artifact is golden")
    func goldenArtifact() throws {
        let backend = try BackendFactory.make(.tcSnat)
        #expect(backend.kind == .tcSnat && BackendKind.tcSnat.family == .ebpf)
        let tracked = Policy(rules: [], defaultAction: .allow,
                             tracking: ConnectionTracking(timeouts: .kernelDefaults, tableSize: 65_536),
                             snat: Self.snat.at(gateway: Self.gateway))
        try Golden.check(try backend.compile(tracked).text, against: Golden.directory.appendingPathComponent("bpf/tc-snat.maps"))
        // Without tracking, ConnectionTracking() defaults size the maps.
        #expect(try backend.compile(Self.policy).text.contains("\(ConnectionTracking.defaultTableSize) entries each"))
    }

    @Test("tc-snat-swept is the same NAT in plain hashes swept by the collector")
    func sweptVariant() throws {
        let swept = try BackendFactory.make(.tcSnatSwept)
        #expect(swept.kind == .tcSnatSwept && BackendKind.tcSnatSwept.family == .ebpf && BackendKind.tcSnatSwept.onlyTranslates)
        let lru = try BackendFactory.make(.tcSnat).compile(Self.policy).text
        let hash = try swept.compile(Self.policy).text
        #expect(lru != hash, "the artifact says which map kind the NAT uses")
    }

    @Test("a non-SNAT policy and a policy without its gateway are refused with one clear line")
    func refusals() throws {
        let backend = try BackendFactory.make(.tcSnat)
        let filter = #expect(throws: BackendUnsupported.self) { try backend.compile(Policy(rules: [], defaultAction: .allow)) }
        #expect(filter?.description == "not supported by tc-snat: needs an snat policy")
        let unplaced = Policy(rules: [], defaultAction: .allow, snat: Self.snat)
        let noGateway = #expect(throws: BackendUnsupported.self) { try backend.compile(unplaced) }
        #expect(noGateway?.description.contains("names no gateway") == true)
    }

    @Test("an input point has no external interface to translate on: refused before loading")
    func refusesInputPoint() throws {
        let backend = try BackendFactory.make(.tcSnat)
        let point = FilterPoint(namespace: "bl-none-dut", ingressInterface: "bl0-s0", egressInterface: nil, hook: .input)
        let error = #expect(throws: BackendUnsupported.self) {
            try backend.install(try backend.compile(Self.policy), policy: Self.policy, at: point)
        }
        #expect(error?.description.contains("external interface") == true)
    }

    @Test("the histogram's buckets are the program's: 0 kept, then powers of two up to 128")
    func retryBuckets() {
        #expect(NATRetryBuckets.lowerBounds == [0, 1, 2, 3, 5, 9, 17, 33, 65])
        #expect(NATCounters.names.count == 12)
    }
}
