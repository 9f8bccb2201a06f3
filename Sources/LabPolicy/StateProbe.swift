import LabNetwork

/// One packet a state probe sends through the policy point: what it is, which side sends it, and
/// its addresses as they appear on the wire. The equivalence check sends these beside the flow
/// probes when the policy is stateful (a reply without a request must be dropped, an invalid
/// packet must be dropped, whatever the rules say about its addresses).
public struct StateProbe: Hashable, Codable, Sendable, CustomStringConvertible {
    public enum Side: String, Codable, Sendable {
        case client, server
    }

    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// A UDP datagram.
        case udp
        /// A TCP segment with SYN and ACK: a handshake answer.
        case tcpSynAck = "tcp-syn-ack"
        /// A TCP segment with ACK only: the middle of a connection.
        case tcpAck = "tcp-ack"
        /// An ICMP echo reply.
        case icmpEchoReply = "icmp-echo-reply"

        public var proto: IPProtocol {
            switch self {
            case .udp: return .udp
            case .tcpSynAck, .tcpAck: return .tcp
            case .icmpEchoReply: return .icmp
            }
        }

        var label: String {
            switch self {
            case .udp: return "UDP datagram"
            case .tcpSynAck: return "TCP SYN-ACK"
            case .tcpAck: return "TCP ACK"
            case .icmpEchoReply: return "ICMP echo reply"
            }
        }
    }

    public var sender: Side
    public var kind: Kind
    public var source: IPv4Address
    public var destination: IPv4Address
    /// nil for ICMP.
    public var sourcePort: UInt16?
    public var destinationPort: UInt16?

    public init(sender: Side, kind: Kind, source: IPv4Address, destination: IPv4Address,
                sourcePort: UInt16? = nil, destinationPort: UInt16? = nil) {
        self.sender = sender
        self.kind = kind
        self.source = source
        self.destination = destination
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
    }

    /// The packet as a flow (its own direction), for the rules.
    public var flow: Flow {
        Flow(proto: kind.proto, source: source, destination: destination, sourcePort: sourcePort, destinationPort: destinationPort)
    }

    public var description: String {
        let sport = sourcePort.map { ":\($0)" } ?? ""
        let dport = destinationPort.map { ":\($0)" } ?? ""
        return "\(kind.label) from the \(sender.rawValue) side, \(source)\(sport) -> \(destination)\(dport), unsolicited"
    }
}

/// The reference for state probes: a connection table that knows only what the probes themselves
/// opened (nothing, for an unsolicited packet). Pure and obvious on purpose, like
/// `ReferenceEvaluator`: it is what every backend's tracker is checked against.
///
/// Stateless policy: the rules govern client → server packets only, so anything from the server
/// side passes, and a client packet is decided by the rules whatever its TCP flags.
/// Stateful policy (the lab's definition, README "Stateful policy"): a packet of a tracked flow
/// passes either way; from the server side nothing else passes; from the client side a packet that
/// cannot open a flow (a TCP segment without SYN or with ACK, an ICMP echo reply) is invalid and
/// dropped, and a packet that can is decided by the rules, an allowed one starting a tracked flow.
public struct StateReference {
    public let policy: Policy
    /// Tracked flows in their original (client → server) direction.
    public private(set) var tracked: Set<Flow> = []

    public init(policy: Policy) {
        self.policy = policy
    }

    /// The verdict for one packet, updating the table as a tracker would.
    public mutating func verdict(_ probe: StateProbe) -> Action {
        let flow = probe.flow
        guard policy.isStateful else {
            return probe.sender == .server ? .allow : ReferenceEvaluator.verdict(policy, flow)
        }
        if tracked.contains(flow) || tracked.contains(Self.reversed(flow)) { return .allow }
        guard probe.sender == .client, Self.opensAFlow(probe.kind) else { return .deny }
        let verdict = ReferenceEvaluator.verdict(policy, flow)
        if verdict == .allow { tracked.insert(flow) }
        return verdict
    }

    /// Verdicts of independent probes: each meets the table as it was (empty for unsolicited ones).
    public static func verdicts(_ policy: Policy, _ probes: [StateProbe]) -> [Action] {
        probes.map { probe in
            var reference = StateReference(policy: policy)
            return reference.verdict(probe)
        }
    }

    /// Only a SYN opens a TCP flow (nf_conntrack_tcp_loose=0), only a request an ICMP one; the kinds
    /// probed here that can open one are UDP datagrams.
    static func opensAFlow(_ kind: StateProbe.Kind) -> Bool { kind == .udp }

    static func reversed(_ flow: Flow) -> Flow {
        Flow(proto: flow.proto, source: flow.destination, destination: flow.source,
             sourcePort: flow.destinationPort, destinationPort: flow.sourcePort)
    }
}
