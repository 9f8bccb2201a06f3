/// The lab's addresses, all inside 198.18.0.0/15 (RFC 2544's benchmarking range). The same plan in
/// every topology, so a policy written against it means the same thing in `pair` and `routed`:
///
///     198.18.0.0/20   infrastructure, never used as a client source
///       198.18.0.0/30   client link: client .1, dut (routed) or server (pair) .2
///       198.18.0.4/30   server link (routed only): dut .5, server .6
///       198.18.1.0/24   server service range (all local to the server); workloads use 198.18.1.1
///     the rest of 198.18.0.0/15  client pool: any of it can be a client source (an AnyIP local
///                                route in the client namespace), for probes and generated rules
public enum AddressPlan {
    public static let lab = IPv4Prefix("198.18.0.0/15")!
    public static let infrastructure = IPv4Prefix("198.18.0.0/20")!
    public static let clientLink = IPv4Prefix("198.18.0.0/30")!
    public static let serverLink = IPv4Prefix("198.18.0.4/30")!
    public static let serviceRange = IPv4Prefix("198.18.1.0/24")!

    public static let client = IPv4Address("198.18.0.1")!
    /// The dut's (routed) or server's (pair) address on the client link.
    public static let clientGateway = IPv4Address("198.18.0.2")!
    public static let dutServerSide = IPv4Address("198.18.0.5")!
    public static let serverLinkAddress = IPv4Address("198.18.0.6")!
    /// Where every workload sends its traffic.
    public static let server = IPv4Address("198.18.1.1")!

    /// Sources the client may use besides its own address: the lab range minus the infrastructure.
    public static let clientPool: [IPv4Prefix] = lab.excluding(infrastructure)
}
