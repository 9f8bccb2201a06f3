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

    static var RLIMIT_NOFILE_VALUE: __rlimit_resource_t { __rlimit_resource_t(RLIMIT_NOFILE.rawValue) }
}

extension FileLimit {
    /// `raise`, lifting the hard limit too when the process may (root, up to fs.nr_open): the SNAT
    /// ramp holds more connections than the default hard limit allows. Without the privilege it
    /// raises to the hard limit, and the ramp's opens past it fail as counted errors.
    public static func raiseAsRoot(toAtLeast wanted: Int) throws {
        var limit = rlimit()
        try systemCall("read RLIMIT_NOFILE") { getrlimit(RLIMIT_NOFILE_VALUE, &limit) }
        guard limit.rlim_cur < rlim_t(wanted) else { return }
        var lifted = limit
        lifted.rlim_cur = rlim_t(wanted)
        lifted.rlim_max = max(limit.rlim_max, rlim_t(wanted))
        if setrlimit(RLIMIT_NOFILE_VALUE, &lifted) == 0 { return }
        try raise(toAtLeast: wanted)
    }
}
