#if canImport(Glibc)
import Glibc
#endif
import LabSystem

/// An interface, and the lab namespace it lives in (nil: benchlab's own namespace). Attaching by
/// ifindex resolves the index in the calling thread's network namespace (the kernel looks devices
/// up in current->nsproxy->net_ns), so every attach, query and detach runs inside
/// `NetworkNamespace.run(in:)`.
public struct InterfaceTarget: Hashable, Sendable, CustomStringConvertible {
    public let interface: String
    public let namespace: String?

    public init(interface: String, namespace: String? = nil) {
        self.interface = interface
        self.namespace = namespace
    }

    /// "bl1a2b-d0 in ns bl-1a2b-dut", for error messages.
    public var description: String {
        namespace.map { "\(interface) in ns \($0)" } ?? interface
    }

    /// Runs `body` inside the namespace with the interface's index.
    func withIndex<T>(_ body: (Int32) throws -> T) throws -> T {
        try inNamespace {
            let index = if_nametoindex(interface)
            if index == 0 { throw BPFError("find interface \(self)", errno: errno) }
            return try body(Int32(index))
        }
    }

    func inNamespace<T>(_ body: () throws -> T) throws -> T {
        guard let namespace else { return try body() }
        return try NetworkNamespace.run(in: namespace, body)
    }
}
