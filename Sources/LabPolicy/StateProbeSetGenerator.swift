import LabNetwork

/// The state probes for a policy (see `StateProbe`): from the server side, an unsolicited UDP
/// datagram, TCP SYN-ACK, TCP ACK and ICMP echo reply to the client; from the client side, a TCP
/// ACK without a handshake on a flow the rules allow (an invalid packet the rules alone would pass).
/// Every probe has its own ports, so no probe rides on a flow another one opened.
public struct StateProbeSetGenerator: Sendable {
    /// Client ports of the server-side probes: above the lab's ephemeral range use, one per probe.
    public static let firstClientPort: UInt16 = 47_000
    /// The server port used when the policy names no TCP or UDP port.
    public static let defaultServerPort: UInt16 = 5201

    public init() {}

    public func probes(for policy: Policy, flows: [Flow]) -> [StateProbe] {
        let server = AddressPlan.server
        let client = AddressPlan.client
        let tcpPort = flows.first { $0.proto == .tcp }?.destinationPort ?? Self.defaultServerPort
        let udpPort = flows.first { $0.proto == .udp }?.destinationPort ?? Self.defaultServerPort
        var port = Self.firstClientPort
        func next() -> UInt16 {
            defer { port += 1 }
            return port
        }
        var probes = [
            StateProbe(sender: .server, kind: .udp, source: server, destination: client, sourcePort: udpPort, destinationPort: next()),
            StateProbe(sender: .server, kind: .tcpSynAck, source: server, destination: client, sourcePort: tcpPort, destinationPort: next()),
            StateProbe(sender: .server, kind: .tcpAck, source: server, destination: client, sourcePort: tcpPort, destinationPort: next()),
            StateProbe(sender: .server, kind: .icmpEchoReply, source: server, destination: client),
        ]
        // An ACK the rules would pass: it tells "invalid dropped" from "the rules dropped it".
        if let allowed = flows.first(where: { $0.proto == .tcp && ReferenceEvaluator.verdict(policy, $0) == .allow }) {
            probes.append(StateProbe(sender: .client, kind: .tcpAck, source: allowed.source, destination: allowed.destination,
                                     sourcePort: next(), destinationPort: allowed.destinationPort))
        }
        return probes
    }
}
