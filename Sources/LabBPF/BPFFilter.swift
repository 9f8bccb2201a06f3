import CLibBPF
import LabPolicy
import LabSystem

/// benchlab's stateless filter loaded for one variant and filled with one policy: the thing the xdp
/// and tc backends install, update, attach, read counters from, and test-run.
public final class BPFFilter {
    public let variant: FilterVariant
    public let program: BPFProgram
    /// The policy packets are decided by (the active bank's).
    public private(set) var image: BPFPolicyImage
    /// What the standby bank holds: the policy before the last update (after install, the installed one).
    private var standbyImage: BPFPolicyImage
    /// Opening, verifying and loading the object (not the maps), in milliseconds.
    public let objectLoadMilliseconds: Double
    /// The initial map fill.
    public let installReport: MapLoadReport
    private let maps: FilterMaps

    /// Loads the `variant` object with `image`'s default action fixed in .rodata, then fills the maps.
    public convenience init(variant: FilterVariant, image: BPFPolicyImage) throws {
        try self.init(variant: variant, image: image, resource: variant.object, programName: variant.programName) { _ in }
    }

    /// Loads any program built on bpf/lib/policy.h (the stateless filter, the stateful one): `configure`
    /// sets what else the object needs before load (its own constants and maps).
    init(variant: FilterVariant, image: BPFPolicyImage, resource: BPFObjectResource, programName: String,
         configure: (BPFObject) throws -> Void) throws {
        let ((object, program), loadMilliseconds) = try MonotonicClock.measure {
            let object = try resource.open()
            try configure(object)
            try object.setReadOnlyGlobal("bl_default_deny", to: UInt8(image.defaultAction == .deny ? 1 : 0))
            // The host hashes are preallocated: size them (both banks) to the policy, with room for updates.
            for bank in UInt32(0)...1 {
                let names = PolicyBank.hostMapNames(index: bank)
                try object.setMaxEntries(map: names.source, to: Self.hostCapacity(image.sourceHosts.count))
                try object.setMaxEntries(map: names.destination, to: Self.hostCapacity(image.destinationHosts.count))
            }
            try object.load()
            return (object, try object.program(named: programName))
        }
        self.variant = variant
        self.program = program
        self.image = image
        objectLoadMilliseconds = loadMilliseconds
        maps = try FilterMaps(object)
        // Both banks get the policy, so every update, the first included, writes only what differs.
        let active = try maps.write(image, replacing: nil, into: maps.banks[0])
        let standby = try maps.write(image, replacing: nil, into: maps.banks[1])
        installReport = MapLoadReport(maps: active.maps + standby.maps + [try maps.activate(maps.banks[0])])
        standbyImage = image
    }

    /// Compiles `policy` and loads it.
    public convenience init(variant: FilterVariant, policy: Policy) throws {
        try self.init(variant: variant, image: try BPFPolicyCompiler.compile(policy))
    }

    /// Switches the filter to `newImage` atomically: writes it into the standby bank (only the
    /// entries that differ from what that bank holds: the policy before last, or the installed one),
    /// then makes that bank active. The default action lives in .rodata, frozen at load: changing it needs a new BPFFilter.
    @discardableResult
    public func update(to newImage: BPFPolicyImage) throws -> MapLoadReport {
        guard newImage.defaultAction == image.defaultAction else {
            throw BPFPolicyUnsupported("changing the default action of a loaded filter (it is a load-time constant; reinstall)")
        }
        let standby = try maps.standbyBank()
        for (name, count, capacity) in [("source", newImage.sourceHosts.count, standby.sourceHosts.maxEntries),
                                        ("destination", newImage.destinationHosts.count, standby.destinationHosts.maxEntries)]
            where count > capacity {
            throw BPFPolicyUnsupported("\(count) \(name) hosts in an update of a filter loaded with room for \(capacity); reinstall")
        }
        let written = try maps.write(newImage, replacing: standbyImage, into: standby)
        let report = MapLoadReport(maps: written.maps + [try maps.activate(standby)])
        standbyImage = image
        image = newImage
        return report
    }

    /// Twice the policy's hosts, at least BL_HOST_DEFAULT_CAPACITY: updates of a loaded filter can grow
    /// the list without a reload, and memory stays proportional to the policy.
    static func hostCapacity(_ hosts: Int) -> UInt32 {
        UInt32(max(Int(BL_HOST_DEFAULT_CAPACITY), 2 * hosts))
    }

    /// The active bank's contents as the kernel holds them, for checking that an install wrote what
    /// was meant.
    public func installedImage() throws -> BPFPolicyImage {
        try maps.read(reference: image, bank: try maps.activeBank())
    }

    /// The standby bank's contents as the kernel holds them: after an update, the previous policy,
    /// left untouched while packets moved to the new one.
    public func standbyBankImage() throws -> BPFPolicyImage {
        try maps.read(reference: image, bank: try maps.standbyBank())
    }

    public func counters() throws -> FilterMapCounters {
        try maps.readCounters()
    }

    /// Runs the program on a crafted frame with BPF_PROG_TEST_RUN.
    public func run(_ packet: [UInt8], repeat repetitions: Int = 1) throws -> FilterRun {
        let run = try program.testRun(packet: packet, repeat: repetitions)
        guard let verdict = variant.verdict(returnCode: run.returnValue) else {
            preconditionFailure("\(variant.programName) returned \(run.returnValue), which the filter never returns")
        }
        return FilterRun(verdict: verdict, nanosecondsPerRun: run.nanosecondsPerRun)
    }

    public func attachXDP(to target: InterfaceTarget, mode: XDPMode = .native) throws -> XDPAttachment {
        precondition(variant == .xdp, "the \(variant.rawValue) filter cannot be attached as XDP")
        return try XDPAttachment(program: program, target: target, mode: mode)
    }

    public func attachTCIngress(to target: InterfaceTarget, choice: TCMechanismChoice = .tcxElseClsact) throws -> TCAttachment {
        precondition(variant == .tc, "the \(variant.rawValue) filter cannot be attached to tc")
        return try TCAttachment(program: program, target: target, choice: choice)
    }
}

public struct FilterRun: Hashable, Sendable {
    public let verdict: Action
    public let nanosecondsPerRun: UInt32
}
