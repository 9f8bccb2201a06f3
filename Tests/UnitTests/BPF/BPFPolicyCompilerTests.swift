import Foundation
import LabBPF
import LabNetwork
import LabPolicy
import LabTestSupport
import Testing

@Suite("BPF policy compiler")
struct BPFPolicyCompilerTests {
    static func prefix(_ text: String) -> IPv4Prefix { IPv4Prefix(text)! }

    @Test("a prefix's clause set includes the clauses of every shorter prefix that contains it")
    func coveringClosure() throws {
        let policy = Policy(rules: [
            Rule(action: .deny, source: Self.prefix("198.18.16.0/24")),
            Rule(action: .allow, source: Self.prefix("198.18.16.0/20"), proto: .tcp),
            Rule(action: .deny, source: Self.prefix("198.18.0.0/15"), proto: .udp),
            Rule(action: .allow, source: Self.prefix("198.18.32.0/20"), proto: .udp),
        ], defaultAction: .allow)
        let image = try BPFPolicyCompiler.compile(policy)
        let sets = Dictionary(uniqueKeysWithValues: image.sourcePrefixes.map { ($0.prefix.description, $0.clauses) })
        #expect(sets == [
            "198.18.0.0/15": ClauseSet([2]),
            "198.18.16.0/20": ClauseSet([1, 2]),
            "198.18.16.0/24": ClauseSet([0, 1, 2]),
            "198.18.32.0/20": ClauseSet([2, 3]),
        ])
        #expect(image.masks.sourceAny.isEmpty)
        #expect(image.masks.destinationAny == ClauseSet(0..<4))
        #expect(image.masks.deny == ClauseSet([0, 2]))
    }

    @Test("rules differing only in source share one bit; wildcards and protocols go to the masks")
    func masksAndFolding() throws {
        let policy = Policy(rules: [
            Rule(action: .allow, source: Self.prefix("198.18.32.0/20"), proto: .tcp, destinationPorts: PortRange(port: 80)),
            Rule(action: .allow, source: Self.prefix("198.18.48.0/20"), proto: .tcp, destinationPorts: PortRange(port: 80)),
            Rule(action: .deny, proto: .icmp),
            Rule(action: .deny, destination: Self.prefix("198.18.1.0/24"), proto: .udp),
            Rule(action: .allow),
        ], defaultAction: .deny)
        let image = try BPFPolicyCompiler.compile(policy)
        #expect(image.clauses.count == 4)
        #expect(image.sourcePrefixes.map(\.clauses) == [ClauseSet([0]), ClauseSet([0])])
        #expect(image.masks.sourceAny == ClauseSet([1, 2, 3]))
        #expect(image.masks.icmp == ClauseSet([1]))
        #expect(image.masks.udp == ClauseSet([2]))
        #expect(image.masks.tcp.isEmpty)
        #expect(image.masks.protocolAny == ClauseSet([3]))
        #expect(image.portRuns.map { "\($0.proto.rawValue)/\($0.ports)" } == ["tcp/80...80"])
        #expect(image.destinationPrefixes.map(\.prefix.description) == ["198.18.1.0/24"])
        #expect(image.masks.lookups == 0b1010) // source and destination tries, no hosts
    }

    @Test("/32s go to the host tables with their covering clauses; the lookup flags follow")
    func hostsSplit() throws {
        let policy = Policy(rules: [
            Rule(action: .deny, source: Self.prefix("198.18.16.7/32")),
            Rule(action: .allow, source: Self.prefix("198.18.16.0/24"), proto: .udp),
            Rule(action: .allow, destination: Self.prefix("198.18.1.1/32")),
        ], defaultAction: .deny)
        let image = try BPFPolicyCompiler.compile(policy)
        #expect(image.sourceHosts == [.init(prefix: Self.prefix("198.18.16.7/32"), clauses: ClauseSet([0, 1]))])
        #expect(image.sourcePrefixes == [.init(prefix: Self.prefix("198.18.16.0/24"), clauses: ClauseSet([1]))])
        #expect(image.destinationHosts.map(\.prefix) == [Self.prefix("198.18.1.1/32")])
        #expect(image.destinationPrefixes.isEmpty)
        #expect(image.masks.lookups == 0b0111)
    }

    @Test("a port range fills one slot per port, inclusive at both ends")
    func portRanges() throws {
        let policy = Policy(rules: [
            Rule(action: .deny, proto: .udp, destinationPorts: PortRange(1000, 1003)),
            Rule(action: .allow, proto: .udp, destinationPorts: PortRange(1003, 1004)),
            Rule(action: .allow, proto: .tcp, destinationPorts: PortRange(1, 65535)),
        ], defaultAction: .deny)
        let image = try BPFPolicyCompiler.compile(policy)
        #expect(image.portRuns.map { "\($0.proto.rawValue) \($0.ports) \($0.clauses)" } == [
            "tcp 1...65535 {2}", "udp 1000...1002 {0}", "udp 1003...1003 {0,1}", "udp 1004...1004 {1}",
        ])
        #expect(image.portSlotCount == 65535 + 5)
        let udpSlots = image.portSlots.filter { $0.slot >= 65536 }
        #expect(udpSlots.map(\.slot) == [66536, 66537, 66538, 66539, 66540])
    }

    @Test("more than 64 clauses is reported as not supported, with the count")
    func tooManyClauses() throws {
        // Alternating actions stop rules from folding: 65 rules, 65 clauses.
        let rules = (0..<65).map { index in
            Rule(action: index.isMultiple(of: 2) ? .allow : .deny, source: IPv4Prefix(address: IPv4Address(0xC612_1000 + UInt32(index)), length: 32)!)
        }
        let error = #expect(throws: BPFPolicyUnsupported.self) {
            try BPFPolicyCompiler.compile(Policy(rules: rules, defaultAction: .allow))
        }
        #expect(error?.description.hasPrefix("not supported by xdp/tc: 65 clauses") == true)
        // 64 is fine.
        _ = try BPFPolicyCompiler.compile(Policy(rules: Array(rules.prefix(64)), defaultAction: .allow))
    }

    @Test("an IPv6 policy is reported as not supported")
    func ipv6() {
        let error = #expect(throws: BPFPolicyUnsupported.self) {
            try BPFPolicyCompiler.compile(Policy(rules: [], defaultAction: .allow, family: .ipv6))
        }
        #expect(error?.description == "not supported by xdp/tc: ipv6 policies (the filter parses IPv4 only)")
    }

    @Test("a generated 100k-host source list is one clause with 100k host entries")
    func largeSourceList() throws {
        let rules = try RuleGenerator(count: 100_000, seed: 7, pool: AddressPlan.clientPool).rules()
        let image = try BPFPolicyCompiler.compile(Policy(rules: rules, defaultAction: .allow))
        #expect(image.clauses.count == 1)
        #expect(image.sourceHosts.count == 100_000)
        #expect(image.sourcePrefixes.isEmpty)
    }

    @Test("the image decides every random flow as the reference evaluator does", arguments: [UInt64(1), 2, 3, 4])
    func randomAgainstReference(seed: UInt64) throws {
        var random = RandomPolicies(seed: seed)
        for _ in 0..<100 {
            let policy = random.policy()
            let evaluator = ImageEvaluator(image: try BPFPolicyCompiler.compile(policy))
            for _ in 0..<100 {
                let flow = random.flow()
                #expect(evaluator.verdict(flow) == ReferenceEvaluator.verdict(policy, flow), "\(flow) under \(policy.rules)")
            }
        }
    }
}
