#if canImport(Glibc)
import Glibc
#endif
import CLibBPF

/// A kernel BPF link (an attachment held by an fd). Closing the last fd detaches the program, which
/// is why links are preferred to netlink attachments: when benchlab exits, even by SIGKILL, the
/// kernel closes the fd and the hook is clean again. Nothing is pinned, so this fd is the only
/// reference. `detach()` closes early; deinit closes otherwise.
public final class BPFLink {
    /// What was attached where, for error messages ("xdp on bl1a2b-d0 in ns bl-1a2b-dut").
    public let attachment: String
    private var fd: Int32

    init(fd: Int32, attachment: String) {
        self.fd = fd
        self.attachment = attachment
    }

    /// Creates a link with bpf(BPF_LINK_CREATE). `attachType` is passed through to the kernel as a
    /// number, so attach types newer than libbpf 1.1.2's headers (tcx) work: its bpf_link_create only
    /// special-cases iterator/tracing/kprobe types and forwards the rest.
    static func create(program: BPFProgram, targetIndex: Int32, attachType: bpf_attach_type, flags: UInt32,
                       attachment: String, operation: String) throws -> BPFLink {
        let fd = try LibBPFOptions.with(bpf_link_create_opts.self, size: \.sz, { $0.flags = flags }) { options in
            try libbpfCall(operation) { bpf_link_create(program.fd, targetIndex, attachType, options) }
        }
        return BPFLink(fd: fd, attachment: attachment)
    }

    public var isAttached: Bool { fd >= 0 }

    /// Pins the link in bpffs so the attachment outlives this process (`benchlab up`); unlinking the
    /// pin (or deleting the interface's namespace) releases it.
    public func pin(at path: String) throws {
        _ = try libbpfCall("pin \(attachment) at \(path)") { bpf_obj_pin(fd, path) }
    }

    /// Detaches now (closes the link's only fd).
    public func detach() {
        guard fd >= 0 else { return }
        close(fd)
        fd = -1
    }

    deinit {
        detach()
    }
}
