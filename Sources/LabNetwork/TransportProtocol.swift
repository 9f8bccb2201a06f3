/// A transport a workload or an agent speaks. (Policy rules match on `IPProtocol`, which adds ICMP.)
public enum TransportProtocol: String, Sendable, Equatable, Hashable, CaseIterable, Codable {
    case tcp, udp
}
