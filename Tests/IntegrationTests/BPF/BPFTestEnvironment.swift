#if canImport(Glibc)
import Glibc
#endif
import LabBPF
import LabPolicy
import Testing

/// Feature probes for the BPF integration tests (cilium/ebpf's habit): a test that needs the kernel
/// skips with the probe's own failure as the reason, never because of a version number.
enum BPFTestEnvironment {
    /// Why the filter cannot be loaded here (not root, no BPF, verifier rejects it), or nil.
    static let loadFailure: String? = {
        do {
            _ = try BPFFilter(variant: .xdp, policy: .allowAll)
            return nil
        } catch {
            return "cannot load the BPF filter here: \(error.oneLine)"
        }
    }()

    /// Skips the current test unless the filter loads.
    static func requireFilterLoads() throws {
        if let loadFailure { try Test.cancel(Comment(rawValue: loadFailure)) }
    }

    /// Skips unless namespaces and veth pairs can be made (root, iproute2).
    static func requireNamespaces() throws {
        try requireFilterLoads()
        if geteuid() != 0 { try Test.cancel("creating network namespaces needs root") }
    }
}

extension FilterVariant: CustomTestStringConvertible {
    public var testDescription: String { rawValue }
}
