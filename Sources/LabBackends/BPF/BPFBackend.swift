import LabBPF
import LabNetwork
import LabPolicy
import LabResults
import LabSystem
import LabTopology

/// `xdp` and `tc`: benchlab's BPF filter (bpf/filter.bpf.c) loaded with the policy in its maps and
/// attached to the filter point's ingress — native XDP, or tcx (clsact where the kernel lacks tcx).
/// Install time covers what an operator waits for: object load and verification, the batched map
/// fill, and the attach.
public final class BPFBackend: FilterBackend {
    let variant: FilterVariant
    private let images = PolicyImageCache()

    public init(variant: FilterVariant) {
        self.variant = variant
    }

    public var kind: BackendKind { variant == .xdp ? .xdp : .tc }

    public func compile(_ policy: Policy) throws -> BackendArtifact {
        BackendArtifact(kind: "maps", text: try image(policy).dump)
    }

    public func install(_ artifact: BackendArtifact, policy: Policy, at point: FilterPoint) throws -> any Installation {
        let image = try image(policy)
        let target = InterfaceTarget(interface: point.ingressInterface, namespace: point.namespace)
        var attachment: FilterAttachment?
        var loaded: BPFFilter?
        // Native XDP the kernel runs in another mode, or no tc hook at all, is a missing feature:
        // the case is skipped with the kernel's reason (tc's documented fallback to clsact is not one).
        let (_, milliseconds) = try KernelFeatureGap.unsupported(kind) { try MonotonicClock.measure {
            let filter = try BPFFilter(variant: variant, image: image)
            attachment = try FilterAttachment.attach(filter, variant, to: target)
            loaded = filter
        } }
        guard let loaded, let attachment else { throw LabFailure("install \(kind.rawValue): the filter did not attach") }
        return BPFInstallation(owner: self, filter: loaded, attachment: attachment, point: point, policy: policy,
                               installMilliseconds: milliseconds)
    }

    /// The policy's compiled image (the last one is kept: see PolicyImageCache).
    func image(_ policy: Policy) throws -> BPFPolicyImage {
        if policy.isStateful {
            throw BackendUnsupported(kind, "the stateless filter tracks no connections; for a stateful policy use "
                + "\(kind.rawValue)-ct-lru or \(kind.rawValue)-ct-swept")
        }
        return try images.image(policy, for: kind)
    }
}

/// Kernel run-time accounting for one program, on for as long as the window is open.
final class BPFRunTimeWindow: RunTimeWindow {
    let program: BPFProgram
    let statistics: BPFRunTimeStatistics
    let start: BPFProgramInfo

    init(program: BPFProgram) throws {
        self.program = program
        statistics = try BPFRunTimeStatistics()
        start = try program.info()
    }

    func finish() throws -> Double? {
        let end = try program.info()
        let runs = end.runCount - start.runCount
        return runs == 0 ? nil : Double(end.runTimeNanoseconds - start.runTimeNanoseconds) / Double(runs)
    }
}
