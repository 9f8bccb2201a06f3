import LabCapture
import LabTopology

/// Every interface of the server captured at once (libpcap, opened inside the server's namespace):
/// what reached the server — over one link, or two with two gateways — while something ran. Used by
/// the NAT equivalence, `capture: N` and the failover workload.
public struct ServerSideCapture {
    private let captures: [PacketCapture]

    /// Opens and starts a capture on each of the topology's server interfaces, with the options
    /// `options` gives for that interface.
    public static func start(_ topology: Topology, options: (LabInterface) -> CaptureOptions) throws -> ServerSideCapture {
        let captures = try topology.serverInterfaces.map {
            try PacketCapture.open(interface: $0.name, namespace: $0.namespace, options: options($0))
        }
        captures.forEach { $0.start() }
        return ServerSideCapture(captures: captures)
    }

    /// Stops every capture and returns their packets, interface by interface.
    public func finish() throws -> [CapturedPacket] {
        try captures.flatMap { try $0.finish().packets }
    }
}
