#if canImport(Glibc)
import Glibc
#endif
import LabSystem
import Testing

@Suite("Open-file limit")
struct FileLimitTests {
    static func current() -> rlimit {
        var limit = rlimit()
        _ = getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        return limit
    }

    @Test("raising never lowers the soft limit and never passes the hard one")
    func raise() throws {
        let before = Self.current()
        try FileLimit.raise(toAtLeast: 16)
        #expect(Self.current().rlim_cur == before.rlim_cur)
        let wanted = Int(min(before.rlim_cur + 8, before.rlim_max))
        try FileLimit.raise(toAtLeast: wanted)
        #expect(Self.current().rlim_cur == rlim_t(wanted))
        try FileLimit.raise(toAtLeast: Int(before.rlim_max) + 1_000)
        #expect(Self.current().rlim_cur == before.rlim_max)
    }
}
