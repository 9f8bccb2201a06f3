import LabBPF
import LabPolicy

/// The last policy a BPF backend compiled and its image. The runner asks for the same policy's image
/// more than once per case (compile for the artifact, install, installed_entries), and compiling 100k
/// rules is a large part of a second in a debug build. A policy the filter cannot express is
/// reported as not supported by `backend`.
final class PolicyImageCache {
    private var last: (policy: Policy, image: BPFPolicyImage)?

    func image(_ policy: Policy, for backend: BackendKind) throws -> BPFPolicyImage {
        if let last, last.policy == policy { return last.image }
        do {
            let image = try BPFPolicyCompiler.compile(policy)
            last = (policy, image)
            return image
        } catch let error as BPFPolicyUnsupported {
            throw BackendUnsupported(backend, error.reason)
        }
    }
}
