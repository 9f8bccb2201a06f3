#if canImport(Glibc)
import Glibc
#endif
import CLibBPF

/// The two ways a sched_cls program is hooked on an interface's ingress.
public enum TCMechanism: String, Sendable, Hashable, CaseIterable {
    /// tcx (kernel 6.6+): a BPF link on the device's own BPF hook, no qdisc; detached by the kernel
    /// when benchlab's fd closes.
    case tcx
    /// The clsact qdisc with a direct-action cls_bpf filter (netlink): survives benchlab, so it is
    /// removed explicitly — only if this code created it.
    case clsact
}

public enum TCMechanismChoice: Sendable, Hashable {
    /// tcx when the kernel has it, clsact otherwise (the `tc` backend's rule).
    case tcxElseClsact
    case only(TCMechanism)
}

/// BPF_TCX_INGRESS from the kernel's UAPI (enum bpf_attach_type, 46 since 6.6). The Debian headers
/// benchlab builds against (linux-libc-dev 6.1) predate it, so the number is written here; it is
/// part of the stable UAPI, and the tests check it against the running kernel by attaching with it.
let bpfTCXIngress = bpf_attach_type(rawValue: 46)
/// BPF_TCX_EGRESS (47), for the same reason.
let bpfTCXEgress = bpf_attach_type(rawValue: 47)

/// Which side of an interface a tc program sees: packets arriving (the filters) or leaving (the SNAT).
public enum TCDirection: String, Sendable, Hashable {
    case ingress, egress

    var tcxAttachType: bpf_attach_type { self == .ingress ? bpfTCXIngress : bpfTCXEgress }
    var clsactPoint: bpf_tc_attach_point { self == .ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS }
}

/// A tc program on an interface's ingress or egress, by tcx or clsact (`mechanism` says which).
public final class TCAttachment {
    public let target: InterfaceTarget
    public let direction: TCDirection
    public let mechanism: TCMechanism
    /// Why tcx was not used, when `.tcxElseClsact` fell back to clsact.
    public let fallbackReason: String?
    private var hook: Hook

    private enum Hook {
        case link(BPFLink)
        case clsact(ClsactFilter)
        case detached
    }

    public init(program: BPFProgram, target: InterfaceTarget, choice: TCMechanismChoice = .tcxElseClsact,
                direction: TCDirection = .ingress) throws {
        self.target = target
        self.direction = direction
        switch choice {
        case .only(.tcx):
            hook = .link(try Self.attachTCX(program, target, direction))
            mechanism = .tcx
            fallbackReason = nil
        case .only(.clsact):
            hook = .clsact(try ClsactFilter(program: program, target: target, direction: direction))
            mechanism = .clsact
            fallbackReason = nil
        case .tcxElseClsact:
            do {
                hook = .link(try Self.attachTCX(program, target, direction))
                mechanism = .tcx
                fallbackReason = nil
            } catch let error as BPFError where Self.meansNoTCX(error) {
                hook = .clsact(try ClsactFilter(program: program, target: target, direction: direction))
                mechanism = .clsact
                fallbackReason = error.description
            }
        }
    }

    /// A kernel without tcx rejects the attach type: EINVAL from link_create's program-type switch
    /// (kernels before 6.6 have no sched_cls case there), or a not-supported error.
    static func meansNoTCX(_ error: BPFError) -> Bool {
        [EINVAL, EOPNOTSUPP, BPFError.kernelNotSupported].contains(error.errno)
    }

    static func attachTCX(_ program: BPFProgram, _ target: InterfaceTarget, _ direction: TCDirection = .ingress) throws -> BPFLink {
        try target.withIndex { index in
            try BPFLink.create(program: program, targetIndex: index, attachType: direction.tcxAttachType, flags: 0,
                               attachment: "tcx \(direction.rawValue) on \(target)",
                               operation: "attach tcx \(direction.rawValue) to \(target)")
        }
    }

    public var isAttached: Bool {
        if case .detached = hook { return false }
        return true
    }

    /// Keeps the attachment alive after this process exits. A clsact filter is a netlink object that
    /// outlives the process anyway (it goes with its namespace); a tcx link is pinned.
    public func pin(at path: String) throws {
        if case .link(let link) = hook { try link.pin(at: path) }
    }

    /// Detaches now; deinit does the same (ignoring a namespace that is already gone).
    public func detach() throws {
        defer { hook = .detached }
        switch hook {
        case .link(let link): link.detach()
        case .clsact(let filter): try filter.remove()
        case .detached: break
        }
    }

    deinit {
        try? detach()
    }
}

/// Program ids on an interface's tcx ingress hook, as BPF_PROG_QUERY reports them.
public enum TCXIngressQuery {
    public static func programIDs(_ target: InterfaceTarget) throws -> [UInt32] {
        try target.withIndex { index in
            var ids = [UInt32](repeating: 0, count: 64)
            var count = UInt32(ids.count)
            var attachFlags: UInt32 = 0
            // For tcx the kernel reads query.target_ifindex, which shares its slot with target_fd.
            try libbpfCall("query tcx ingress on \(target)") {
                bpf_prog_query(index, bpfTCXIngress, 0, &attachFlags, &ids, &count)
            }
            return Array(ids.prefix(Int(count)))
        }
    }
}

/// A cls_bpf filter in direct-action mode on the clsact qdisc's ingress, through libbpf's netlink
/// helpers. The qdisc is deleted on removal only if this filter created it: another user's clsact
/// (and its filters) is left as it was.
final class ClsactFilter {
    let target: InterfaceTarget
    let direction: TCDirection
    private let createdQdisc: Bool
    private let handle: UInt32
    private let priority: UInt32
    private var attached = true

    init(program: BPFProgram, target: InterfaceTarget, direction: TCDirection = .ingress) throws {
        self.target = target
        self.direction = direction
        (createdQdisc, handle, priority) = try target.withIndex { index in
            try Self.withHook(index, direction.clsactPoint) { hook in
                var created = true
                do {
                    try libbpfCall("create clsact qdisc on \(target)") { bpf_tc_hook_create(hook) }
                } catch let error as BPFError where error.errno == EEXIST {
                    created = false
                }
                do {
                    return try LibBPFOptions.with(bpf_tc_opts.self, size: \.sz, { $0.prog_fd = program.fd }) { options in
                        try libbpfCall("attach tc \(direction.rawValue) (clsact) to \(target)") { bpf_tc_attach(hook, options) }
                        return (created, options.pointee.handle, options.pointee.priority)
                    }
                } catch {
                    if created { Self.destroyQdisc(index) }
                    throw error
                }
            }
        }
    }

    func remove() throws {
        guard attached else { return }
        attached = false
        try target.withIndex { index in
            try Self.withHook(index, direction.clsactPoint) { hook in
                try LibBPFOptions.with(bpf_tc_opts.self, size: \.sz, {
                    $0.handle = handle
                    $0.priority = priority
                }) { options in
                    try libbpfCall("detach tc \(direction.rawValue) (clsact) from \(target)") { bpf_tc_detach(hook, options) }
                }
            }
            if createdQdisc { Self.destroyQdisc(index) }
        }
    }

    /// libbpf deletes the qdisc itself only when both attach points are named (bpf_tc_hook_destroy).
    private static func destroyQdisc(_ index: Int32) {
        withHook(index, bpf_tc_attach_point(rawValue: BPF_TC_INGRESS.rawValue | BPF_TC_EGRESS.rawValue)) { hook in
            _ = bpf_tc_hook_destroy(hook)
        }
    }

    @discardableResult
    private static func withHook<Result>(_ index: Int32, _ point: bpf_tc_attach_point,
                                         _ body: (UnsafeMutablePointer<bpf_tc_hook>) throws -> Result) rethrows -> Result {
        try LibBPFOptions.with(bpf_tc_hook.self, size: \.sz, {
            $0.ifindex = index
            $0.attach_point = point
        }, body)
    }

    deinit {
        try? remove()
    }
}
