@testable import LabBackends
import LabNetwork
import LabSystem
import LabPolicy
import Testing

/// Where an update lands for the set backends, and the proof that it never changes a verdict.
@Suite("Netfilter chain layout and set updates")
struct NetfilterChainLayoutTests {
    static func prefix(_ text: String) -> IPv4Prefix { IPv4Prefix(text)! }
    static func layout(_ rules: [Rule], _ defaultAction: Action = .allow) -> ChainLayout {
        .withSets(Policy(rules: rules, defaultAction: defaultAction)) { "s\($0.index)" }
    }

    let denyA = Rule(action: .deny, source: prefix("198.18.16.0/24"))
    let denyB = Rule(action: .deny, source: prefix("198.18.17.0/24"))
    let denyC = Rule(action: .deny, source: prefix("198.18.99.0/24"))

    @Test("a rule like a set clause joins its set")
    func joinsFirstSet() {
        let layout = Self.layout([denyA, denyB, Rule(action: .allow, proto: .tcp)])
        let target = layout.setAccepting(NetfilterRule(denyC))
        #expect(target?.index == 0 && target?.name == "s0")
        let extended = layout.extendingSet(at: 0, with: Self.prefix("198.18.99.0/24"))
        #expect(extended.sets.first?.prefixes == [Self.prefix("198.18.16.0/24"), Self.prefix("198.18.17.0/24"), Self.prefix("198.18.99.0/24")])
    }

    @Test("rules of the same action before the set do not stop it; another action does")
    func earlierRules() {
        let sameAction = Self.layout([Rule(action: .deny, proto: .udp, destinationPorts: PortRange(port: 53)), denyA, denyB])
        #expect(sameAction.setAccepting(NetfilterRule(denyC))?.index == 1)
        let otherAction = Self.layout([Rule(action: .allow, proto: .udp, destinationPorts: PortRange(port: 53)), denyA, denyB])
        #expect(otherAction.setAccepting(NetfilterRule(denyC)) == nil)
    }

    @Test("a rule differing in anything but its source, or with no source, gets its own rule")
    func ownRule() {
        let layout = Self.layout([denyA, denyB])
        #expect(layout.setAccepting(NetfilterRule(Rule(action: .deny, source: Self.prefix("198.18.99.0/24"), proto: .tcp))) == nil)
        #expect(layout.setAccepting(NetfilterRule(Rule(action: .allow, source: Self.prefix("198.18.99.0/24")))) == nil)
        #expect(layout.setAccepting(NetfilterRule(Rule(action: .deny, source: .any))) == nil)
        #expect(layout.setAccepting(NetfilterRule(Rule(action: .deny))) == nil)
    }

    /// The soundness claim of `setAccepting`, checked by brute force: over random small policies and
    /// rules in a tiny address space, joining a set decides every flow as "rule in front" does.
    @Test("the layout decides like the policy, and joining a set like the rule put in front")
    func soundness() {
        var random = SplitMix64(seed: 11)
        let universe = ChainLayoutOracle.universe
        var joined = 0
        for _ in 0..<2000 {
            let policy = ChainLayoutOracle.randomPolicy(&random)
            let rule = ChainLayoutOracle.randomRule(&random)
            let layout = Self.layout(policy.rules, policy.defaultAction)
            for flow in universe {
                #expect(ChainLayoutOracle.verdict(layout, flow) == ReferenceEvaluator.verdict(policy, flow))
            }
            guard let target = layout.setAccepting(NetfilterRule(rule)), let source = rule.source else { continue }
            joined += 1
            let extended = layout.extendingSet(at: target.index, with: source)
            let front = Policy(rules: [rule] + policy.rules, defaultAction: policy.defaultAction)
            for flow in universe {
                #expect(ChainLayoutOracle.verdict(extended, flow) == ReferenceEvaluator.verdict(front, flow),
                        "\(rule) joining \(target.name) of \(policy.rules) differs for \(flow)")
            }
        }
        #expect(joined > 50, "the random policies exercise the join path")
    }
}

/// A tiny world for brute force: sources in 198.18.16.0/22, two destinations, three ports.
enum ChainLayoutOracle {
    static let sources = ["198.18.16.0/22", "198.18.16.0/24", "198.18.17.0/24", "198.18.18.0/23", "198.18.19.7/32"].map { IPv4Prefix($0)! }
    static let universe: [Flow] = {
        var flows: [Flow] = []
        for host in [0x10_01, 0x11_05, 0x12_09, 0x13_07, 0x13_08] as [UInt32] {
            for destination in [IPv4Address("198.18.1.1")!, IPv4Address("198.18.1.200")!] {
                let source = IPv4Address(0xC612_0000 | host)
                flows.append(Flow(proto: .icmp, source: source, destination: destination))
                for port in [53, 80, 81] as [UInt16] {
                    flows.append(Flow(proto: .tcp, source: source, destination: destination, sourcePort: 4000, destinationPort: port))
                    flows.append(Flow(proto: .udp, source: source, destination: destination, sourcePort: 4000, destinationPort: port))
                }
            }
        }
        return flows
    }()

    static func randomRule(_ random: inout SplitMix64) -> Rule {
        let proto = [IPProtocol.tcp, .udp, .any][Int(random.next() % 3)]
        let ports: PortRange? = proto.hasPorts && random.next() % 2 == 0 ? PortRange(80, 80 + UInt16(random.next() % 2)) : nil
        let destination: IPv4Prefix? = random.next() % 3 == 0 ? IPv4Prefix("198.18.1.0/25") : nil
        return Rule(action: random.next() % 2 == 0 ? .allow : .deny, source: sources[Int(random.next() % UInt64(sources.count))],
                    destination: destination, proto: proto, destinationPorts: ports)
    }

    /// Runs of rules that differ only in source, so clauses with sets appear often.
    static func randomPolicy(_ random: inout SplitMix64) -> Policy {
        var rules: [Rule] = []
        for _ in 0..<(1 + random.next() % 3) {
            var rule = randomRule(&random)
            for _ in 0..<(1 + random.next() % 3) {
                rule.source = sources[Int(random.next() % UInt64(sources.count))]
                rules.append(rule)
            }
        }
        return Policy(rules: rules, defaultAction: random.next() % 2 == 0 ? .allow : .deny)
    }

    /// First match over the layout's rules, as the kernel walks the chain.
    static func verdict(_ layout: ChainLayout, _ flow: Flow) -> Action {
        layout.rules.first { matches($0, flow) }?.action ?? layout.defaultAction
    }

    static func matches(_ rule: NetfilterRule, _ flow: Flow) -> Bool {
        switch rule.source {
        case .any: break
        case .prefix(let prefix): if !prefix.contains(flow.source) { return false }
        case .set(_, let prefixes): if !prefixes.contains(where: { $0.contains(flow.source) }) { return false }
        }
        if let destination = rule.destination, !destination.contains(flow.destination) { return false }
        if let number = rule.proto.number, number != flow.proto.number { return false }
        if let ports = rule.destinationPorts {
            guard let port = flow.destinationPort, ports.contains(port) else { return false }
        }
        return true
    }
}
