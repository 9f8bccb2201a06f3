import CLibBPF
import LabNetwork
import LabPolicy
import LabSystem

/// What bpf/snat.bpf.c is loaded with for one gateway: its egress address, the port range, whether
/// the original port is tried first, the egress selection, the tracker's timeouts and the NAT maps'
/// kind and size.
public struct SNATConfiguration: Sendable, Hashable {
    public var egressAddress: IPv4Address
    public var ports: PortRange
    public var randomFully: Bool
    public var selection: [SNATSelectionEntry]
    public var timeouts: ConntrackTimeouts
    public var kind: CTTableKind
    public var capacity: Int

    public init(egressAddress: IPv4Address, ports: PortRange, randomFully: Bool, selection: [SNATSelectionEntry],
                timeouts: ConntrackTimeouts, kind: CTTableKind, capacity: Int) {
        self.egressAddress = egressAddress
        self.ports = ports
        self.randomFully = randomFully
        self.selection = selection
        self.timeouts = timeouts
        self.kind = kind
        self.capacity = capacity
    }

    /// The configuration of `policy` (one gateway's share: `at(gateway:)`) with `tracking`'s timeouts
    /// and table size (ConnectionTracking() when the policy has none).
    public init(policy: SNATPolicy, tracking: ConnectionTracking?, kind: CTTableKind) {
        guard let gateway = policy.gateway else { preconditionFailure("SNATConfiguration needs the gateway: use at(gateway:)") }
        let tracking = tracking ?? ConnectionTracking()
        self.init(egressAddress: gateway, ports: policy.ports, randomFully: policy.randomFully,
                  selection: SNATSelection.entries(policy), timeouts: tracking.timeouts, kind: kind, capacity: tracking.tableSize)
    }
}

/// bpf/snat.bpf.c loaded: bl_snat_egress (tc egress of the gateway's external interface) and
/// bl_snat_ingress (tc ingress of the same interface), and their maps.
public final class SNATProgram {
    public let configuration: SNATConfiguration
    public let egress: BPFProgram
    public let ingress: BPFProgram
    public let maps: NATMaps
    public let lifetimes: CTLifetimes
    /// Opening, verifying and loading the object, in milliseconds (the selection fill comes after).
    public let objectLoadMilliseconds: Double

    public static let resource = BPFObjectResource(program: "snat", variant: "tc")

    public init(_ configuration: SNATConfiguration) throws {
        let lifetimes = CTLifetimes(configuration.timeouts)
        let (object, milliseconds) = try MonotonicClock.measure {
            let object = try Self.resource.open()
            for constant in lifetimes.constants { try object.setReadOnlyGlobal(constant.name, to: constant.nanoseconds) }
            try object.setReadOnlyGlobal("bl_nat_egress_addr", to: configuration.egressAddress.value.bigEndian)
            try object.setReadOnlyGlobal("bl_nat_port_min", to: configuration.ports.lower)
            try object.setReadOnlyGlobal("bl_nat_port_max", to: configuration.ports.upper)
            try object.setReadOnlyGlobal("bl_nat_random_fully", to: UInt8(configuration.randomFully ? 1 : 0))
            for map in ["bl_nat_forward", "bl_nat_reverse"] {
                try object.setMapType(map: map, to: configuration.kind.mapType)
                try object.setMaxEntries(map: map, to: UInt32(configuration.capacity))
            }
            try object.load()
            return object
        }
        self.configuration = configuration
        self.lifetimes = lifetimes
        objectLoadMilliseconds = milliseconds
        egress = try object.program(named: "bl_snat_egress")
        ingress = try object.program(named: "bl_snat_ingress")
        maps = try NATMaps(object: object, kind: configuration.kind, capacity: configuration.capacity)
        try maps.setSelection(configuration.selection)
    }

    /// Runs bl_snat_egress once on `packet` (BPF_PROG_TEST_RUN): whether it passed, and the packet as
    /// it would leave.
    public func runEgress(_ packet: [UInt8]) throws -> SNATRun { try Self.run(egress, packet) }

    /// Runs bl_snat_ingress once on `packet`.
    public func runIngress(_ packet: [UInt8]) throws -> SNATRun { try Self.run(ingress, packet) }

    private static func run(_ program: BPFProgram, _ packet: [UInt8]) throws -> SNATRun {
        let (run, output) = try program.testRunRewriting(packet: packet)
        guard let verdict = FilterVariant.tc.verdict(returnCode: run.returnValue) else {
            preconditionFailure("\(program.name) returned \(run.returnValue), which it never returns")
        }
        return SNATRun(passed: verdict == .allow, packet: output, nanoseconds: run.nanosecondsPerRun)
    }
}

/// One test run of a SNAT program.
public struct SNATRun: Sendable {
    public let passed: Bool
    public let packet: [UInt8]
    /// The kernel's time for this single run (it includes the test loop's own clock reads).
    public let nanoseconds: UInt32
}
