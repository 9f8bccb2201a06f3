import LabNetwork
import LabPolicy
import LabSystem

/// Client-pool source addresses the case's policy allows for one protocol to one server port, for the
/// connection workloads: each source gives up to ~64k fresh 5-tuples, so a fill of hundreds of
/// thousands of flows, or minutes of short connections whose client ends wait in TIME_WAIT, needs
/// several. Chosen by the reference evaluator from the policy alone, so every backend of a case —
/// `none` included — is sent the same flows. (Rules are evaluated without a source port: a policy
/// that decides by source port is not one these workloads can honour flow by flow.)
public enum ConnectionSources {
    /// Enough for 4M fill flows or ~30k short TCP connections/s through TIME_WAIT's 60 s.
    public static let maximum = 64

    public static func select(for policy: Policy, proto: TransportProtocol, port: UInt16, wanted: Int = maximum,
                              pool: SourcePool = .clientPool, workload: String) throws -> [IPv4Address] {
        let ipProtocol: IPProtocol = proto == .tcp ? .tcp : .udp
        var chosen: [IPv4Address] = []
        for (tried, source) in PacketRateSources.candidates(policy, pool: pool).enumerated() {
            if chosen.count == wanted || tried == PacketRateSources.candidateBudget { break }
            let flow = Flow(proto: ipProtocol, source: source, destination: AddressPlan.server, destinationPort: port)
            if SourcePool.verdict(policy, flow) == .allow { chosen.append(source) }
        }
        guard !chosen.isEmpty else {
            throw LabFailure("\(workload): the policy denies \(proto.rawValue.uppercased()) to \(AddressPlan.server):\(port) from every "
                             + "\(pool.noun) tried; allow some \(pool.nouns)")
        }
        return chosen
    }
}
