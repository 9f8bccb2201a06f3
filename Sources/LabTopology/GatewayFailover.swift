import LabSystem

/// Takes a gateway away from the worker nodes the way a failed gateway node would look to them: its
/// end of every link to a node goes down, so the node's end loses carrier, the kernel marks the
/// node's routes through it `linkdown`, and with `ignore_routes_with_linkdown` (set in node
/// namespaces by the gateway preset) the next route — through the standby gateway — carries the
/// traffic. The gateway still faces the server, so what it held (NAT state) is not reachable any
/// more, as after a crash. No controller is involved: the failover time measured is the kernel's.
public enum GatewayFailover {
    /// Sets `gateway`'s node-facing interfaces down; returns them.
    @discardableResult
    public static func takeDown(_ gateway: String, in topology: Topology) throws -> [LabInterface] {
        try set(gateway, in: topology, state: "down")
    }

    /// Brings them back up (the failback).
    @discardableResult
    public static func bringUp(_ gateway: String, in topology: Topology) throws -> [LabInterface] {
        try set(gateway, in: topology, state: "up")
    }

    private static func set(_ gateway: String, in topology: Topology, state: String) throws -> [LabInterface] {
        let interfaces = topology.nodeFacingInterfaces(of: gateway)
        guard let namespace = interfaces.first?.namespace else {
            throw LabFailure("failover: gateway \(gateway) has no link to a worker node in topology \(topology.name)")
        }
        try IPCommand.batch(interfaces.map { "link set \($0.name) \(state)" }, in: namespace)
        return interfaces
    }
}
