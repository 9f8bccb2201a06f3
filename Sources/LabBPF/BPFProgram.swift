#if canImport(Glibc)
import Glibc
#endif
import CLibBPF

/// A loaded program of a BPFObject. Holds the object, so the program fd stays valid while this
/// value exists; the fd itself never leaves LabBPF.
public struct BPFProgram {
    let object: BPFObject
    let handle: OpaquePointer
    public let name: String

    init(object: BPFObject, handle: OpaquePointer, name: String) {
        self.object = object
        self.handle = handle
        self.name = name
    }

    var fd: Int32 { bpf_program__fd(handle) }

    /// The kernel's view of the program: its id and, while a BPFRunTimeStatistics is alive, how
    /// often it ran and for how long.
    public func info() throws -> BPFProgramInfo {
        var info = bpf_prog_info()
        var length = UInt32(MemoryLayout<bpf_prog_info>.size)
        try libbpfCall("read info of program \(name)") { bpf_obj_get_info_by_fd(fd, &info, &length) }
        return BPFProgramInfo(id: info.id, runCount: info.run_cnt, runTimeNanoseconds: info.run_time_ns)
    }
}

public struct BPFProgramInfo: Hashable, Sendable {
    public let id: UInt32
    public let runCount: UInt64
    public let runTimeNanoseconds: UInt64

    /// Mean time per run; nil before the first counted run.
    public var nanosecondsPerRun: Double? {
        runCount == 0 ? nil : Double(runTimeNanoseconds) / Double(runCount)
    }
}

/// Turns on the kernel's per-program run-time accounting (run_cnt, run_time_ns) for as long as this
/// value lives. BPF_ENABLE_STATS returns an fd and the kernel keeps the accounting on while any such
/// fd is open (kernel/bpf/syscall.c, bpf_enable_runtime_stats; merged in 5.8): closing it — in deinit,
/// or by the kernel when benchlab dies, even by SIGKILL — switches it back off. That is why this is
/// used instead of writing the kernel.bpf_stats_enabled sysctl, which a crash would leave on for
/// every program on the machine (it costs two clock reads per run).
public final class BPFRunTimeStatistics {
    private let fd: Int32

    public init() throws {
        fd = try libbpfCall("enable BPF run-time statistics") { bpf_enable_stats(BPF_STATS_RUN_TIME) }
    }

    deinit {
        close(fd)
    }
}
