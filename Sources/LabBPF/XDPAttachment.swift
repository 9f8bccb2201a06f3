#if canImport(Glibc)
import Glibc
#endif
import CLibBPF

/// How an XDP program runs on an interface, as the kernel reports it (IFLA_XDP_ATTACHED).
public enum XDPMode: String, Sendable, Hashable {
    /// In the driver's receive path, before an skb exists (`xdp` in `ip link`).
    case native
    /// Emulated on the skb after allocation (`xdpgeneric`): correct, but no faster than tc.
    case generic
    /// On the NIC.
    case offloaded

    var attachFlag: UInt32 {
        switch self {
        case .native: return UInt32(XDP_FLAGS_DRV_MODE)
        case .generic: return UInt32(XDP_FLAGS_SKB_MODE)
        case .offloaded: return UInt32(XDP_FLAGS_HW_MODE)
        }
    }
}

/// An XDP program attached to an interface through a BPF link (BPF_LINK_CREATE, attach type
/// BPF_XDP, kernel 5.9+), in the mode that was asked for, with the mode in effect read back from
/// the kernel afterwards: a benchmark labelled "xdp" must not silently be measuring xdpgeneric.
///
/// Native XDP on veth (drivers/net/veth.c; observed on 6.18, see BPFFilterAttachTests): the attach
/// needs nothing from the peer, and XDP_PASS / XDP_DROP on frames the veth receives work — the
/// device switches its queues to NAPI when a program arrives. Only frames redirected *into* a veth
/// (XDP_TX / XDP_REDIRECT) need the receiving end to have an XDP program or GRO on; this filter
/// never redirects. Two side effects matter for a benchmark: while a program (without frags
/// support) is attached, the peer stops offering TSO (veth_xdp_set clears NETIF_F_GSO_SOFTWARE from
/// the peer's hw_features; `ethtool -k` shows tcp-segmentation-offload off), so TCP is segmented
/// before it crosses the pair and the program runs once per MTU-sized frame where tc and netfilter
/// see one GSO skb for many segments; and skbs that are shared, cloned or lack XDP headroom are
/// copied before the program runs (veth_convert_skb_to_xdp_buff).
public final class XDPAttachment {
    public let target: InterfaceTarget
    /// What the kernel reports after the attach.
    public let mode: XDPMode
    public let programID: UInt32
    private let link: BPFLink

    /// Attaches `program` to `target` in `mode` (native by default) and verifies the mode in effect.
    public init(program: BPFProgram, target: InterfaceTarget, mode requested: XDPMode = .native) throws {
        let operation = "attach xdp (\(requested.rawValue)) to \(target)"
        let (link, state) = try target.withIndex { index -> (BPFLink, XDPState) in
            let link = try BPFLink.create(program: program, targetIndex: index, attachType: BPF_XDP,
                                          flags: requested.attachFlag, attachment: "xdp on \(target)",
                                          operation: operation)
            return (link, try XDPState.query(index: index, target: target))
        }
        guard state.mode == requested else {
            link.detach()
            throw BPFError("\(operation): the kernel reports \(state.mode?.rawValue ?? "no program") instead",
                           errno: EOPNOTSUPP)
        }
        self.link = link
        self.target = target
        self.mode = requested
        self.programID = state.programID
    }

    public var isAttached: Bool { link.isAttached }

    /// Keeps the attachment alive after this process exits (see BPFLink.pin).
    public func pin(at path: String) throws { try link.pin(at: path) }

    /// Detaches now; deinit does the same.
    public func detach() { link.detach() }
}

/// The XDP program on an interface, if any, as `ip link` would show it.
public struct XDPState: Hashable, Sendable {
    public let mode: XDPMode?
    public let programID: UInt32

    public init(mode: XDPMode?, programID: UInt32) {
        self.mode = mode
        self.programID = programID
    }

    public static func query(_ target: InterfaceTarget) throws -> XDPState {
        try target.withIndex { try query(index: $0, target: target) }
    }

    static func query(index: Int32, target: InterfaceTarget) throws -> XDPState {
        let options = try LibBPFOptions.with(bpf_xdp_query_opts.self, size: \.sz, { _ in }) { options in
            try libbpfCall("query xdp on \(target)") { bpf_xdp_query(index, 0, options) }
            return options.pointee // an output now: copying it is fine
        }
        switch Int(options.attach_mode) {
        case XDP_ATTACHED_DRV: return XDPState(mode: .native, programID: options.drv_prog_id)
        case XDP_ATTACHED_SKB: return XDPState(mode: .generic, programID: options.skb_prog_id)
        case XDP_ATTACHED_HW: return XDPState(mode: .offloaded, programID: options.hw_prog_id)
        case XDP_ATTACHED_MULTI:
            // Several modes at once: report the fastest one present.
            if options.drv_prog_id != 0 { return XDPState(mode: .native, programID: options.drv_prog_id) }
            if options.hw_prog_id != 0 { return XDPState(mode: .offloaded, programID: options.hw_prog_id) }
            return XDPState(mode: .generic, programID: options.skb_prog_id)
        default:
            return XDPState(mode: nil, programID: 0)
        }
    }
}
