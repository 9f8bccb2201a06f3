#if canImport(Glibc)
import Glibc
#endif
import LabSystem

/// A failed libbpf or bpf(2) call: what benchlab was doing ("attach xdp to bl1a2b-d0 in ns
/// bl-1a2b-dut"), the errno the kernel or libbpf gave, and libbpf's last warning when it said one
/// (for a failed load that is the verifier's complaint).
public struct BPFError: LabError, Equatable {
    public let operation: String
    public let errno: Int32
    public let detail: String?

    public init(_ operation: String, errno: Int32, detail: String? = nil) {
        self.operation = operation
        self.errno = errno
        self.detail = detail
    }

    /// ENOTSUPP (524) is kernel-internal and has no strerror text, yet bpf(2) returns it.
    public static let kernelNotSupported: Int32 = 524

    public var errnoName: String {
        errno == BPFError.kernelNotSupported ? "operation not supported by this kernel (ENOTSUPP)"
            : String(cString: strerror(errno))
    }

    public var exitStatus: ExitStatus {
        switch errno {
        case EPERM, EACCES: return .notPermitted
        case EOPNOTSUPP, BPFError.kernelNotSupported: return .missingFeature
        default: return .failure
        }
    }

    public var description: String {
        let base = "\(operation): \(errnoName) (errno \(errno))"
        guard let detail, !detail.isEmpty else { return base }
        return "\(base); libbpf: \(detail)"
    }
}

/// The chokepoint for libbpf calls that return an int: a negative value is a failure. libbpf 1.x
/// returns -errno and also sets errno; the raw bpf(2) wrappers return -1 and set errno. Both end
/// here and become one BPFError. EINTR is retried once (swift-system's habit).
@discardableResult
func libbpfCall(_ operation: @autoclosure () -> String, _ call: () -> Int32) throws -> Int32 {
    LibBPFLog.installOnce()
    var result = call()
    if result < 0 && failureErrno(result) == EINTR { result = call() }
    if result < 0 {
        throw BPFError(operation(), errno: failureErrno(result), detail: LibBPFLog.takeLastWarning())
    }
    return result
}

/// The chokepoint for libbpf calls that return a pointer: NULL is a failure, the cause is in errno.
func libbpfPointer<T>(_ operation: @autoclosure () -> String, _ call: () -> T?) throws -> T {
    LibBPFLog.installOnce()
    guard let pointer = call() else {
        throw BPFError(operation(), errno: errno, detail: LibBPFLog.takeLastWarning())
    }
    return pointer
}

private func failureErrno(_ result: Int32) -> Int32 {
    result < -1 ? -result : errno
}
