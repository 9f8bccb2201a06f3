#if canImport(Glibc)
import Glibc
#endif
import LabSystem

/// The two per-namespace sysctls a complete, kernel-timed destroy-event log needs, set in the lab
/// namespace when its tracker opens (before its flows exist: both act when an entry is created).
/// They go with the namespace, so nothing is journaled.
/// - nf_conntrack_events=1: the default, 2, gives an entry its event extension only if some socket
///   listens at the moment it is created; entries made earlier would leave without a destroy event.
/// - nf_conntrack_timestamp=1: each entry records its stop time, which for an expired entry the
///   kernel sets to when it expired: the kernel's own expiry, to hold the lab's computed one against.
enum ConntrackEventSwitches {
    static let events = "/proc/sys/net/netfilter/nf_conntrack_events"
    static let timestamp = "/proc/sys/net/netfilter/nf_conntrack_timestamp"

    /// Sets both; returns whether timestamps could be enabled (false where the kernel lacks the knob).
    static func enable(in namespace: String) throws -> Bool {
        try NetworkNamespace.run(in: namespace) {
            // /proc/sys/net resolves against the opening thread's namespace: this thread is in the lab's.
            guard try set("1", to: events, namespace: namespace) else {
                throw LabFailure("nf_conntrack in namespace \(namespace): \(events) is missing (no conntrack events in this kernel)",
                                 exitStatus: .missingFeature)
            }
            return try set("1", to: timestamp, namespace: namespace)
        }
    }

    /// false when the file does not exist.
    private static func set(_ value: String, to path: String, namespace: String) throws -> Bool {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return false }
            throw SystemCallError("open \(path) in namespace \(namespace)", errno: errno)
        }
        defer { close(fd) }
        let line = Array("\(value)\n".utf8)
        try systemCall("write \(path) in namespace \(namespace)") { write(fd, line, line.count) }
        return true
    }
}
