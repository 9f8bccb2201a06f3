/// What a connection to a service without endpoints gets. A policy with such a service must say it:
/// the two choices look alike in a probe that only checks "not reached" but not to a client, which
/// either fails at once or waits for its timeout.
public enum EmptyServiceVerdict: String, Codable, Sendable, CaseIterable, Hashable {
    /// Refuse it: a TCP RST / ICMP port unreachable, so the client fails at once. kube-proxy's choice
    /// (its KUBE-SERVICES `REJECT` for "has no endpoints"), and Cilium's default.
    case reject
    /// Discard it silently: the client waits for its connect timeout.
    case drop
}
