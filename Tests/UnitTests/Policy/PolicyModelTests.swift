import LabNetwork
import LabPolicy
import Testing

@Suite("Addresses and prefixes")
struct PrefixTests {
    @Test("dotted quads parse strictly", arguments: ["1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.-4", " 1.2.3.4", "1..3.4"])
    func badAddresses(text: String) {
        #expect(IPv4Address(text) == nil)
    }

    @Test("prefixes reject host bits and bad lengths", arguments: ["198.18.0.1/24", "198.18.0.0/33", "198.18.0.0/", "198.18.0.0/-1", "198.18.0.0/8/1"])
    func badPrefixes(text: String) {
        #expect(IPv4Prefix(text) == nil)
    }

    @Test("containment at the edges")
    func containment() throws {
        let prefix = try #require(IPv4Prefix("198.18.4.0/22"))
        #expect(prefix.first == IPv4Address("198.18.4.0"))
        #expect(prefix.last == IPv4Address("198.18.7.255"))
        #expect(prefix.contains(IPv4Address("198.18.7.255")!))
        #expect(!prefix.contains(IPv4Address("198.18.8.0")!))
        #expect(!prefix.contains(IPv4Address("198.18.3.255")!))
        #expect(IPv4Prefix.any.contains(IPv4Address("255.255.255.255")!))
        #expect(IPv4Prefix("198.18.0.0")?.length == 32)
    }

    @Test("merged intervals join overlapping and adjacent prefixes, as nft auto-merge does")
    func mergedIntervals() {
        let prefixes = ["198.19.0.0/32", "198.19.0.1/32", "198.19.0.2/31", "198.19.0.8/29", "198.19.0.12/30", "198.19.1.0/24"]
            .map { IPv4Prefix($0)! }
        // .0-.3 join (adjacent), .8-.15 swallows .12/30, the /24 stands alone.
        #expect(IPv4Prefix.mergedIntervalCount(prefixes) == 3)
        #expect(IPv4Prefix.mergedIntervalCount([]) == 0)
        #expect(IPv4Prefix.mergedIntervalCount([IPv4Prefix("255.255.255.255/32")!, IPv4Prefix("0.0.0.0/0")!]) == 1)
    }

    @Test("subtracting a hole leaves the minimal cover of the rest")
    func excluding() throws {
        let lab = try #require(IPv4Prefix("198.18.0.0/15"))
        let rest = lab.excluding(IPv4Prefix("198.18.0.0/20")!)
        #expect(rest.map(\.description) == ["198.18.16.0/20", "198.18.32.0/19", "198.18.64.0/18", "198.18.128.0/17", "198.19.0.0/16"])
        #expect(rest.reduce(0) { $0 + $1.size } == lab.size - 4096)
        #expect(IPv4Prefix("198.18.0.0/24")!.excluding(lab).isEmpty)
        #expect(IPv4Prefix("10.0.0.0/8")!.excluding(lab) == [IPv4Prefix("10.0.0.0/8")!])
    }
}

@Suite("Reference evaluator")
struct ReferenceEvaluatorTests {
    let client = IPv4Address("198.19.0.9")!
    let server = IPv4Address("198.18.1.1")!

    @Test("first match wins, overlapping prefixes with different actions")
    func firstMatch() {
        let policy = Policy(rules: [
            Rule(action: .allow, source: IPv4Prefix("198.19.0.8/29")),
            Rule(action: .deny, source: IPv4Prefix("198.19.0.0/16")),
        ], defaultAction: .allow)
        #expect(ReferenceEvaluator.verdict(policy, Flow(proto: .udp, source: client, destination: server, destinationPort: 53)) == .allow)
        let other = Flow(proto: .udp, source: IPv4Address("198.19.0.16")!, destination: server, destinationPort: 53)
        #expect(ReferenceEvaluator.verdict(policy, other) == .deny)
        #expect(ReferenceEvaluator.matchingRule(policy, other) == 1)
    }

    @Test("port ranges are inclusive at both ends", arguments: [(999, Action.allow), (1000, .deny), (2000, .deny), (2001, .allow)])
    func portEdges(port: Int, expected: Action) {
        let policy = Policy(rules: [Rule(action: .deny, proto: .tcp, destinationPorts: PortRange(1000, 2000))], defaultAction: .allow)
        let flow = Flow(proto: .tcp, source: client, destination: server, sourcePort: 40000, destinationPort: UInt16(port))
        #expect(ReferenceEvaluator.verdict(policy, flow) == expected)
    }

    @Test("a tcp rule does not match udp or icmp; any matches all")
    func protocols() {
        let tcpOnly = Policy(rules: [Rule(action: .deny, proto: .tcp)], defaultAction: .allow)
        let anyProto = Policy(rules: [Rule(action: .deny, proto: .any)], defaultAction: .allow)
        for proto in [IPProtocol.tcp, .udp, .icmp] {
            let flow = Flow(proto: proto, source: client, destination: server, destinationPort: proto == .icmp ? nil : 80)
            #expect(ReferenceEvaluator.verdict(tcpOnly, flow) == (proto == .tcp ? .deny : .allow))
            #expect(ReferenceEvaluator.verdict(anyProto, flow) == .deny)
        }
    }

    @Test("no rule matches: the default applies", arguments: [Action.allow, .deny])
    func defaults(action: Action) {
        let policy = Policy(rules: [Rule(action: .deny, destination: IPv4Prefix("198.18.1.200/32"))], defaultAction: action)
        #expect(ReferenceEvaluator.verdict(policy, Flow(proto: .icmp, source: client, destination: server)) == action)
    }

    @Test("port ranges must be non-empty and start at 1")
    func portRangeValidation() {
        #expect(PortRange(90, 80) == nil)
        #expect(PortRange(0, 10) == nil)
        #expect(PortRange(port: 65535)?.description == "65535")
        #expect(PortRange(1000, 2000)?.count == 1001)
    }
}

@Suite("Clauses")
struct ClauseCompilerTests {
    @Test("consecutive rules differing only in source fold into one clause; order is kept")
    func folding() {
        let rules = [
            Rule(action: .deny, source: IPv4Prefix("198.19.1.0/24"), proto: .tcp, destinationPorts: PortRange(port: 80)),
            Rule(action: .deny, source: IPv4Prefix("198.19.0.0/24"), proto: .tcp, destinationPorts: PortRange(port: 80)),
            Rule(action: .allow, source: IPv4Prefix("198.19.2.0/24"), proto: .tcp, destinationPorts: PortRange(port: 80)),
            Rule(action: .deny, proto: .udp),
            Rule(action: .deny, source: IPv4Prefix("198.19.3.0/24"), proto: .tcp, destinationPorts: PortRange(port: 80)),
        ]
        let clauses = ClauseCompiler.clauses(Policy(rules: rules, defaultAction: .allow))
        #expect(clauses.map(\.rules) == [0..<2, 2..<3, 3..<4, 4..<5])
        #expect(clauses[0].sources == [IPv4Prefix("198.19.0.0/24")!, IPv4Prefix("198.19.1.0/24")!])
        #expect(clauses[2].sources == nil)
        #expect(clauses.map(\.index) == [0, 1, 2, 3])
    }
}

@Suite("Rule generator")
struct RuleGeneratorTests {
    let pool = AddressPlan.clientPool

    @Test("same seed, same rules; another seed, other rules")
    func deterministic() throws {
        let a = try RuleGenerator(count: 500, seed: 7, pool: pool).rules()
        let b = try RuleGenerator(count: 500, seed: 7, pool: pool).rules()
        let c = try RuleGenerator(count: 500, seed: 8, pool: pool).rules()
        #expect(a == b)
        #expect(a != c)
        #expect(Set(a.compactMap(\.source)).count == 500)
    }

    @Test("generated prefixes stay inside the pool and never cover the lab's infrastructure")
    func insidePool() throws {
        let rules = try RuleGenerator(count: 2000, seed: 1, pool: pool, lengths: [24, 28, 32]).rules()
        for rule in rules {
            let source = try #require(rule.source)
            #expect(pool.contains { $0.contains(source) })
            #expect(!AddressPlan.infrastructure.contains(source.address))
        }
    }

    @Test("100k distinct /32s fit the default pool; more than the pool holds is refused")
    func capacity() throws {
        let generator = RuleGenerator(count: 100_000, seed: 1, pool: pool)
        #expect(generator.capacity == 126_976)
        #expect(try generator.rules().count == 100_000)
        let tooMany = RuleGenerator(count: 300, seed: 1, pool: [IPv4Prefix("198.19.0.0/24")!])
        #expect(throws: RuleGenerator.GeneratorError.poolTooSmall(requested: 300, capacity: 256)) { _ = try tooMany.rules() }
    }
}
