import LabSystem

/// A netlink message benchlab could not make sense of (a captured file, or a reply the kernel
/// sent): what was being read, and what was wrong with it.
public struct NetlinkDecodeError: LabError, Equatable {
    public let context: String
    public let problem: String

    public init(_ context: String, _ problem: String) {
        self.context = context
        self.problem = problem
    }

    public var exitStatus: ExitStatus { .failure }
    public var description: String { "\(context): \(problem)" }
}
