#if canImport(Glibc)
import Glibc
#endif
import CLabShims

/// Runs code with the calling thread inside a named network namespace (/run/netns/NAME, as made by
/// `ip netns add`), then returns the thread to the namespace it came from. Used for the few things
/// that must happen in-process inside a lab namespace, such as attaching a BPF program by ifindex;
/// everything else goes through `ip netns exec`. setns(CLONE_NEWNET) changes only the calling thread.
public enum NetworkNamespace {
    public static func path(_ name: String) -> String { "/run/netns/\(name)" }

    public static func run<T>(in name: String, _ body: () throws -> T) throws -> T {
        let original = try systemCall("open /proc/thread-self/ns/net") { open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC) }
        defer { close(original) }
        let target = try systemCall("open network namespace \(path(name))") { open(path(name), O_RDONLY | O_CLOEXEC) }
        defer { close(target) }
        try systemCall("enter network namespace \(name)") { lab_setns_net(target) }
        defer {
            // Failing to return would leave benchlab's own thread in a lab namespace that is about to
            // be deleted: that is a bug, not an environment condition.
            let rc = lab_setns_net(original)
            precondition(rc == 0, "cannot return from network namespace \(name): errno \(errno)")
        }
        return try body()
    }

    /// The interface index of `interface` inside namespace `name`.
    public static func interfaceIndex(_ interface: String, in name: String) throws -> Int32 {
        try run(in: name) {
            let index = if_nametoindex(interface)
            if index == 0 { throw SystemCallError("find interface \(interface) in namespace \(name)", errno: errno) }
            return Int32(index)
        }
    }
}
