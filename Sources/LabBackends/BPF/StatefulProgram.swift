import LabBPF

/// What the ct installations need from a loaded stateful program, whichever table it keeps: the
/// lab's own (CTFilter) or nf_conntrack through the kfuncs (CTKfuncFilter).
protocol StatefulProgram: AnyObject {
    var filter: BPFFilter { get }
    func counters() throws -> CTCounters
    func run(_ packet: [UInt8], ingressIndex: UInt32, repeat repetitions: Int) throws -> FilterRun
}

extension CTFilter: StatefulProgram {}
extension CTKfuncFilter: StatefulProgram {}
