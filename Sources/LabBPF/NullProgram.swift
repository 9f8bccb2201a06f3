import CLibBPF

/// bpf/pass.bpf.c loaded for one hook: passes every packet and counts it in a per-CPU array, nothing
/// else. Its BPF_PROG_TEST_RUN time is the floor of per-packet cost (entry, one counter, return), the
/// baseline the filter's ns per packet is read against.
public final class NullProgram {
    public let variant: FilterVariant
    public let program: BPFProgram
    private let counters: BPFMap

    public init(variant: FilterVariant) throws {
        let object = try BPFObjectResource(program: "pass", variant: variant.rawValue).open()
        try object.load()
        self.variant = variant
        program = try object.program(named: "bl_pass_\(variant.rawValue)")
        counters = try object.map(named: "bl_pass_counters")
    }

    /// Runs the program on `packet`; it always passes, so the run's answer is its time.
    public func run(_ packet: [UInt8], repeat repetitions: Int = 1) throws -> FilterRun {
        let run = try program.testRun(packet: packet, repeat: repetitions)
        guard variant.verdict(returnCode: run.returnValue) == .allow else {
            preconditionFailure("bl_pass_\(variant.rawValue) returned \(run.returnValue); it only ever passes")
        }
        return FilterRun(verdict: .allow, nanosecondsPerRun: run.nanosecondsPerRun)
    }

    /// Packets and bytes counted so far, summed over CPUs.
    public func counted() throws -> FilterMapCounters.Count {
        let perCPU = try counters.lookupPerCPU(UInt32(0), as: bl_counter.self) ?? []
        return FilterMapCounters.Count(packets: perCPU.reduce(0) { $0 + $1.packets }, bytes: perCPU.reduce(0) { $0 + $1.bytes })
    }
}
