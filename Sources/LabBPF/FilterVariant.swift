import CLibBPF
import LabPolicy

/// The two builds of bpf/filter.bpf.c (one body, selected by a define at compile time; bpf/lib/variant.h).
public enum FilterVariant: String, Sendable, Hashable, CaseIterable {
    case xdp
    case tc

    public var programName: String {
        switch self {
        case .xdp: return "bl_filter_xdp"
        case .tc: return "bl_filter_tc"
        }
    }

    /// The object BPFObjectPlugin compiles from bpf/filter.bpf.c for this variant.
    public var object: BPFObjectResource { BPFObjectResource(program: "filter", variant: rawValue) }

    /// The program's return code as a verdict; nil for a code the filter never returns.
    /// In the policy's own words: what the program did to the packet is the action it applied.
    public func verdict(returnCode: Int32) -> Action? {
        switch (self, returnCode) {
        case (.xdp, Int32(XDP_PASS.rawValue)), (.tc, TC_ACT_OK): return .allow
        case (.xdp, Int32(XDP_DROP.rawValue)), (.tc, TC_ACT_SHOT): return .deny
        default: return nil
        }
    }
}
