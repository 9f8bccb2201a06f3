import LabBPF
import LabSystem
import LabTopology

/// One of a BPF program's hooks on an interface, XDP or tc (ingress, or egress for the SNAT): what the stateless and the
/// stateful installations hold, describe in their gates, pin and detach the same way.
enum FilterAttachment {
    case xdp(XDPAttachment)
    case tc(TCAttachment)

    /// Attaches `filter` at `target` as its variant says: native XDP (a kernel that runs it in
    /// another mode throws), or tc ingress through tcx, clsact where the kernel has no tcx.
    static func attach(_ filter: BPFFilter, _ variant: FilterVariant, to target: InterfaceTarget) throws -> FilterAttachment {
        switch variant {
        case .xdp: return .xdp(try filter.attachXDP(to: target, mode: .native))
        case .tc: return .tc(try filter.attachTCIngress(to: target))
        }
    }

    /// Attaches a tc program on `direction` of `target` (the SNAT: egress and ingress of the gateway's
    /// external interface), through tcx, clsact where the kernel has no tcx.
    static func tc(_ program: BPFProgram, _ direction: TCDirection, to target: InterfaceTarget) throws -> FilterAttachment {
        .tc(try TCAttachment(program: program, target: target, direction: direction))
    }

    var isXDP: Bool {
        if case .xdp = self { return true }
        return false
    }

    /// The hook in effect, read back from what attached (tc says clsact when it fell back).
    var gates: [String: String] {
        switch self {
        case .xdp(let xdp):
            return ["xdp_mode": xdp.mode.rawValue, DropPoint.gate: DropPoint.xdp(mode: xdp.mode.rawValue)]
        case .tc(let tc):
            var gates = ["tc_hook": tc.mechanism.rawValue,
                         DropPoint.gate: DropPoint.tc(mechanism: tc.mechanism.rawValue, direction: tc.direction.rawValue)]
            if let reason = tc.fallbackReason { gates["tc_fallback_reason"] = reason }
            return gates
        }
    }

    /// Pins every link of an installation under `directory` (in benchlab's own bpffs, mounted on
    /// first use), the n-th with suffix n: what `Installation.pin` does for the stateful programs,
    /// which attach on several hooks.
    static func pin(_ attachments: [FilterAttachment], under directory: String) throws {
        try BPFPinRoot.ensureMounted()
        try AtomicFile.makeDirectory(directory)
        for (index, attachment) in attachments.enumerated() {
            try attachment.pin(under: directory, suffix: "\(index)")
        }
    }

    /// Pins the link as `<directory>/xdp_link<suffix>` or `<directory>/tc_link<suffix>`.
    func pin(under directory: String, suffix: String = "") throws {
        switch self {
        case .xdp(let xdp): try xdp.pin(at: "\(directory)/xdp_link\(suffix)")
        case .tc(let tc): try tc.pin(at: "\(directory)/tc_link\(suffix)")
        }
    }

    func detach() throws {
        switch self {
        case .xdp(let xdp): xdp.detach()
        case .tc(let tc): try tc.detach()
        }
    }
}
