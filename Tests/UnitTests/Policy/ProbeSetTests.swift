import LabNetwork
import LabPolicy
import Testing

@Suite("Probe set")
struct ProbeSetTests {
    let generator = ProbeSetGenerator(randomFlows: 0)

    @Test("a source-prefix rule is probed at its first, last and both neighbours, for every protocol of `any`")
    func sourceBoundaries() throws {
        let policy = Policy(rules: [Rule(action: .deny, source: IPv4Prefix("198.19.4.0/24"))], defaultAction: .allow)
        let flows = generator.probes(for: policy)
        let sources = Set(flows.map(\.source.description))
        #expect(sources == ["198.19.4.0", "198.19.4.255", "198.19.3.255", "198.19.5.0"])
        #expect(Set(flows.map(\.proto)) == [.tcp, .udp, .icmp])
        let verdicts = flows.map { ReferenceEvaluator.verdict(policy, $0) }
        #expect(verdicts.contains(.allow) && verdicts.contains(.deny))
    }

    @Test("port ranges are probed at lo-1, lo, hi, hi+1")
    func portBoundaries() {
        let policy = Policy(rules: [Rule(action: .allow, proto: .udp, destinationPorts: PortRange(1000, 2000))], defaultAction: .deny)
        let ports = Set(generator.probes(for: policy).compactMap(\.destinationPort))
        #expect(ports == [999, 1000, 2000, 2001])
    }

    @Test("only flows the lab can send: client-owned sources, server-owned destinations")
    func sendable() throws {
        let policy = Policy(rules: [
            Rule(action: .deny, source: IPv4Prefix("198.18.0.0/20")),
            Rule(action: .deny, source: IPv4Prefix("10.0.0.0/8")),
            Rule(action: .deny, destination: IPv4Prefix("198.18.1.0/26")),
        ], defaultAction: .allow)
        let flows = ProbeSetGenerator(randomFlows: 100).probes(for: policy)
        for flow in flows {
            #expect(ProbeSetGenerator.sources.contains { $0.contains(flow.source) }, "\(flow)")
            #expect(AddressPlan.serviceRange.contains(flow.destination), "\(flow)")
        }
        #expect(flows.contains { $0.destination == IPv4Address("198.18.1.64") })
    }

    @Test("large policies are sampled, bounded, and reproducible")
    func bounded() throws {
        let rules = try RuleGenerator(count: 100_000, seed: 3, pool: AddressPlan.clientPool).rules()
        let policy = Policy(rules: rules + [Rule(action: .allow, proto: .tcp, destinationPorts: PortRange(port: 5201))], defaultAction: .deny)
        let flows = ProbeSetGenerator().probes(for: policy)
        #expect(flows.count <= 640)
        #expect(flows == ProbeSetGenerator().probes(for: policy))
        #expect(flows.contains { $0.destinationPort == 5201 && $0.proto == .tcp })
    }
}
