#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: what we were doing, and the errno the kernel gave.
public struct SystemCallError: LabError, Equatable {
    public let operation: String
    public let errno: Int32

    public init(_ operation: String, errno: Int32) {
        self.operation = operation
        self.errno = errno
    }

    public var errnoName: String { String(cString: strerror(errno)) }
    public var exitStatus: ExitStatus {
        (errno == EPERM || errno == EACCES) ? .notPermitted : .failure
    }
    public var description: String { "\(operation): \(errnoName) (errno \(errno))" }
}

/// The one chokepoint for calls that return -1 and set errno: retries EINTR once, then throws a
/// SystemCallError carrying `operation` (say what and where, e.g. "open /proc/stat").
@discardableResult
public func systemCall<T: BinaryInteger>(_ operation: @autoclosure () -> String, _ call: () -> T) throws -> T {
    var result = call()
    if result == -1 && errno == EINTR { result = call() }
    if result == -1 { throw SystemCallError(operation(), errno: errno) }
    return result
}
