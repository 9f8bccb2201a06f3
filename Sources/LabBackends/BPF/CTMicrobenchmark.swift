import LabBPF
import LabNetwork
import LabPolicy
import LabResults

/// The stateful filter's per-packet cost through BPF_PROG_TEST_RUN, beside the stateless filter's
/// on the same packet and policy (issue 8's target: established ≤ 1.5× stateless; measured and
/// reported, never asserted). Medians of five runs of 20 000 repeats; a new flow can only be new
/// once, so it is timed one packet per run over 1 000 flows (each figure then carries the test
/// loop's fixed cost, hence the stateless filter timed the same way beside it).
struct CTMicrobenchmark {
    let filter: any StatefulProgram
    let stateless: BPFFilter
    let clientIndex: UInt32
    let serverIndex: UInt32
    /// A flow the policy allows, in whose protocol the established flow is measured.
    let flow: BenchFlow

    struct BenchFlow {
        let proto: IPProtocol
        let source: IPv4Address
        let destination: IPv4Address
        let port: UInt16
    }

    static let established = PolicyMetrics.ctEstablished.name
    static let statelessSame = PolicyMetrics.ctStateless.name
    static let newFlow = PolicyMetrics.ctNew.name
    static let statelessSingle = PolicyMetrics.ctStatelessSingle.name

    /// A TCP flow between the lab's client and server that the policy allows (port 5201, a few
    /// common ones, or the first port of a rule), else such a UDP flow; nil when it allows neither
    /// (there is no established flow to time).
    static func flow(for policy: Policy) -> BenchFlow? {
        let candidates: [UInt16] = [5201, 80, 443, 22, 5000] + policy.rules.compactMap { $0.destinationPorts?.lower }
        for proto in [IPProtocol.tcp, .udp] {
            let allowed = candidates.first { port in
                ReferenceEvaluator.verdict(policy, Flow(proto: proto, source: AddressPlan.client, destination: AddressPlan.server,
                                                        destinationPort: port)) == .allow
            }
            if let allowed { return BenchFlow(proto: proto, source: AddressPlan.client, destination: AddressPlan.server, port: allowed) }
        }
        return nil
    }

    /// A packet of the flow from `sourcePort` (TCP flags ignored for UDP).
    func packet(_ flags: UInt8, sourcePort: UInt16, reply: Bool = false) -> [UInt8] {
        var packet = reply
            ? TestPacket(proto: flow.proto, source: flow.destination, destination: flow.source, sourcePort: flow.port, destinationPort: sourcePort)
            : TestPacket(proto: flow.proto, source: flow.source, destination: flow.destination, sourcePort: sourcePort, destinationPort: flow.port)
        packet.tcpFlags = flags
        return packet.bytes
    }

    func measure(newFlows: Bool = true) throws -> [(metric: String, nanoseconds: Double)] {
        // Establish one flow: SYN, SYN-ACK, then time its ACKs (for UDP: a datagram, its reply, then the next ones).
        _ = try filter.run(packet(0x02, sourcePort: 30000), ingressIndex: clientIndex, repeat: 1)
        _ = try filter.run(packet(0x12, sourcePort: 30000, reply: true), ingressIndex: serverIndex, repeat: 1)
        let ack = packet(0x10, sourcePort: 30000)
        let established = try Self.median((0..<5).map { _ in try filter.run(ack, ingressIndex: clientIndex, repeat: 20_000).nanosecondsPerRun })
        let stateless = try Self.median((0..<5).map { _ in try self.stateless.run(ack, repeat: 20_000).nanosecondsPerRun })
        guard newFlows else { return [(Self.established, established), (Self.statelessSame, stateless)] }
        let syns = (0..<1000).map { packet(0x02, sourcePort: UInt16(31000 + $0)) }
        let new = try Self.median(syns.map { try filter.run($0, ingressIndex: clientIndex, repeat: 1).nanosecondsPerRun })
        let single = try Self.median(syns.map { try self.stateless.run($0).nanosecondsPerRun })
        return [(Self.established, established), (Self.statelessSame, stateless), (Self.newFlow, new), (Self.statelessSingle, single)]
    }

    static func median(_ values: [UInt32]) -> Double {
        let sorted = values.sorted()
        return Double(sorted[sorted.count / 2])
    }
}
