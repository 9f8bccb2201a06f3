import LabCollectors
import LabResults

/// The steered receive CPU's /proc/stat times read around a flood, turned into `ReceiveCPUCost`
/// samples once the packets it handled are known: the bracket packet-rate and flood-goodput share.
struct ReceiveCPUWatch {
    let arrangement: ReceiveSteering.Applied
    let before: CPUTimes?

    /// nil without steering: there is no one receive CPU to watch.
    static func start(_ arrangement: ReceiveSteering.Applied?) throws -> ReceiveCPUWatch? {
        guard let arrangement else { return nil }
        return ReceiveCPUWatch(arrangement: arrangement, before: try PerCPUTimes.read()[arrangement.steering.cpu])
    }

    /// The CPU's use since `start`; nil if /proc/stat does not list it.
    func stop() throws -> OneCPUUsage? {
        guard let before, let after = try PerCPUTimes.read()[arrangement.steering.cpu] else { return nil }
        return OneCPUUsage(from: before, to: after)
    }

    static func samples(_ usage: OneCPUUsage?, of watch: ReceiveCPUWatch?, handledPackets: UInt64, workload: String) -> [Sample] {
        guard let watch, let usage else { return [] }
        return ReceiveCPUCost(usage: usage, handledPackets: handledPackets).samples(workload: workload, arrangement: watch.arrangement)
    }
}
