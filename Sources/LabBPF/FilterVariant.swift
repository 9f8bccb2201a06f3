#if canImport(Glibc)
import Glibc
#endif
import CLibBPF
import Foundation

/// The two builds of bpf/filter.bpf.c (one body, selected by a define at compile time).
public enum FilterVariant: String, Sendable, Hashable, CaseIterable {
    case xdp
    case tc

    public var programName: String {
        switch self {
        case .xdp: return "bl_filter_xdp"
        case .tc: return "bl_filter_tc"
        }
    }

    /// Resource name of the object compiled by BPFObjectPlugin.
    var objectResource: String { "filter_\(rawValue).bpf" }

    /// The program's return code as a verdict; nil for a code the filter never returns.
    public func verdict(returnCode: Int32) -> PacketVerdict? {
        switch (self, returnCode) {
        case (.xdp, Int32(XDP_PASS.rawValue)), (.tc, TC_ACT_OK): return .pass
        case (.xdp, Int32(XDP_DROP.rawValue)), (.tc, TC_ACT_SHOT): return .drop
        default: return nil
        }
    }

    /// The compiled object, embedded in LabBPF's resource bundle at build time.
    func objectFile() throws -> [UInt8] {
        guard let url = Bundle.module.url(forResource: objectResource, withExtension: "o") else {
            throw BPFError("find \(objectResource).o in LabBPF's resources (rebuild with swift build)", errno: ENOENT)
        }
        do {
            return Array(try Data(contentsOf: url))
        } catch {
            throw BPFError("read \(url.path)", errno: (error as NSError).code == NSFileReadNoPermissionError ? EACCES : EIO)
        }
    }
}

public enum PacketVerdict: String, Sendable, Hashable {
    case pass
    case drop
}
