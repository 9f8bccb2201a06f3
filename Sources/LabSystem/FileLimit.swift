#if canImport(Glibc)
import Glibc
#endif

/// The process's open-file limit, raised (never lowered, never past the hard limit) by code that holds
/// many sockets at once: the probe client keeps one per flow of a batch.
public enum FileLimit {
    public static func raise(toAtLeast wanted: Int) throws {
        var limit = rlimit()
        try systemCall("read RLIMIT_NOFILE") { getrlimit(RLIMIT_NOFILE_VALUE, &limit) }
        guard limit.rlim_cur < rlim_t(wanted) else { return }
        limit.rlim_cur = min(rlim_t(wanted), limit.rlim_max)
        try systemCall("raise RLIMIT_NOFILE to \(limit.rlim_cur)") { setrlimit(RLIMIT_NOFILE_VALUE, &limit) }
    }

    private static var RLIMIT_NOFILE_VALUE: __rlimit_resource_t { __rlimit_resource_t(RLIMIT_NOFILE.rawValue) }
}
