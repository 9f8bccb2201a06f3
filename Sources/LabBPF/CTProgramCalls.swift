import CLibBPF

/// What both stateful programs (the lab's tracker, the kfunc tracker) are asked the same way: their
/// per-CPU tracker counters (bl_ct_counters) and a test run that says which interface the packet
/// arrived on (the programs tell the sides apart by it).
struct CTProgramCalls {
    let filter: BPFFilter
    let counterMap: BPFMap

    init(filter: BPFFilter) throws {
        self.filter = filter
        counterMap = try filter.program.object.map(named: "bl_ct_counters")
    }

    /// The per-CPU counters summed, by enum bl_ct_counter_index.
    func counters() throws -> CTCounters {
        var values: [UInt64] = []
        for index in 0..<UInt32(BL_CT_COUNTER_MAX.rawValue) {
            values.append(try counterMap.lookupPerCPU(index, as: UInt64.self)?.reduce(0, &+) ?? 0)
        }
        return CTCounters(values: values)
    }

    /// Runs the program on `packet` as if it arrived on interface `ingressIndex` (resolved by the
    /// kernel in the calling thread's namespace: run it inside the filter's namespace).
    func run(_ packet: [UInt8], ingressIndex: UInt32, repetitions: Int) throws -> FilterRun {
        let run = try filter.program.testRun(packet: packet,
                                             context: CTFilter.context(filter.variant, packet: packet, ingressIndex: ingressIndex),
                                             repeat: repetitions)
        guard let verdict = filter.variant.verdict(returnCode: run.returnValue) else {
            preconditionFailure("\(filter.program.name) returned \(run.returnValue), which it never returns")
        }
        return FilterRun(verdict: verdict, nanosecondsPerRun: run.nanosecondsPerRun)
    }
}
