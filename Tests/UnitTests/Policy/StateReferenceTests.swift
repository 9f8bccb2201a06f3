import LabNetwork
import LabPolicy
import Testing

@Suite("State reference")
struct StateReferenceTests {
    static let client = AddressPlan.client
    static let server = AddressPlan.server

    static func policy(stateful: Bool) -> Policy {
        Policy(rules: [
            Rule(action: .allow, proto: .tcp, destinationPorts: PortRange(port: 5201)),
            Rule(action: .allow, proto: .udp, destinationPorts: PortRange(port: 7001)),
        ], defaultAction: .deny, tracking: stateful ? ConnectionTracking() : nil)
    }

    static let unsolicited: [StateProbe] = [
        StateProbe(sender: .server, kind: .udp, source: server, destination: client, sourcePort: 7001, destinationPort: 47000),
        StateProbe(sender: .server, kind: .tcpSynAck, source: server, destination: client, sourcePort: 5201, destinationPort: 47001),
        StateProbe(sender: .server, kind: .tcpAck, source: server, destination: client, sourcePort: 5201, destinationPort: 47002),
        StateProbe(sender: .server, kind: .icmpEchoReply, source: server, destination: client),
    ]
    static let clientAck = StateProbe(sender: .client, kind: .tcpAck, source: client, destination: server, sourcePort: 47003, destinationPort: 5201)

    @Test func statefulDropsEveryUnsolicitedServerPacketAndAnInvalidClientAck() {
        #expect(StateReference.verdicts(Self.policy(stateful: true), Self.unsolicited + [Self.clientAck]) == Array(repeating: .deny, count: 5))
    }

    @Test func statelessLetsTheServerSideThroughAndLetsTheRulesJudgeTheAck() {
        #expect(StateReference.verdicts(Self.policy(stateful: false), Self.unsolicited + [Self.clientAck]) == Array(repeating: .allow, count: 5))
    }

    @Test func aReplyToAnAllowedRequestPassesAndOnlyThen() {
        var reference = StateReference(policy: Self.policy(stateful: true))
        let request = StateProbe(sender: .client, kind: .udp, source: Self.client, destination: Self.server, sourcePort: 40000, destinationPort: 7001)
        let reply = StateProbe(sender: .server, kind: .udp, source: Self.server, destination: Self.client, sourcePort: 7001, destinationPort: 40000)
        #expect(reference.verdict(reply) == .deny, "no request yet")
        #expect(reference.verdict(request) == .allow)
        #expect(reference.verdict(reply) == .allow, "now a tracked flow")
        let otherPort = StateProbe(sender: .server, kind: .udp, source: Self.server, destination: Self.client, sourcePort: 7001, destinationPort: 40001)
        #expect(reference.verdict(otherPort) == .deny, "another 5-tuple is not tracked")
    }

    @Test func aDeniedRequestIsNotTracked() {
        var reference = StateReference(policy: Self.policy(stateful: true))
        let request = StateProbe(sender: .client, kind: .udp, source: Self.client, destination: Self.server, sourcePort: 40000, destinationPort: 53)
        #expect(reference.verdict(request) == .deny)
        #expect(reference.tracked.isEmpty)
    }

    @Test func theGeneratorAddsTheInvalidAckOnlyWhenTheRulesAllowSomeTCP() {
        let flows = ProbeSetGenerator().probes(for: Self.policy(stateful: true))
        let probes = StateProbeSetGenerator().probes(for: Self.policy(stateful: true), flows: flows)
        #expect(probes.count == 5)
        #expect(probes.filter { $0.sender == .server }.map(\.kind) == [.udp, .tcpSynAck, .tcpAck, .icmpEchoReply])
        let ack = probes.last!
        #expect(ack.sender == .client && ack.kind == .tcpAck)
        #expect(ReferenceEvaluator.verdict(Self.policy(stateful: true), ack.flow) == .allow, "the rules alone would pass it")
        #expect(Set(probes.compactMap { $0.sender == .server ? $0.destinationPort : $0.sourcePort }).count == 4, "one client port per probe")

        let noTCP = Policy(rules: [Rule(action: .deny, proto: .tcp)], defaultAction: .allow, tracking: ConnectionTracking())
        let without = StateProbeSetGenerator().probes(for: noTCP, flows: ProbeSetGenerator().probes(for: noTCP))
        #expect(without.count == 4)
    }
}
