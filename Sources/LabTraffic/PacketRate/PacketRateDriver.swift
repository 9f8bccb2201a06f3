#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LabCollectors
import LabNetwork
import LabPolicy
import LabResults
import LabSystem
import LabTopology

/// Runs a packet-rate workload: the sink in the server namespace, the flood in the client namespace,
/// the filter's drop counter read around the flood. Both children are reaped before this returns.
enum PacketRateDriver {
    static let port = FloodAgents.port
    /// The flood's CPU, and the one the sink stays off, on a machine with more than one.
    static let floodCPU = 0

    static func run(_ spec: PacketRateWorkload, filter: FilterUnderTest, _ context: TrafficContext,
                    _ window: TrafficWindow) throws -> [Sample] {
        let sources = try PacketRateSources.select(for: filter.policy, deniedShare: spec.deniedShare, deniedFrom: spec.deniedFrom,
                                                   port: port, pool: SourcePool(topology: context.topology), workload: spec.name)
        let topology = context.topology
        let online = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        let separateCPUs = online > 1
        let arrangement = try steer(spec.receiveCPU, online: online, at: topology.filterPoint, workload: spec.name)
        defer { arrangement.map(ReceiveSteering.restore) }
        // A sink orphaned by a crashed run exits on its own.
        let sink = try FloodAgents.startSink(lifetime: spec.durationSeconds + 30, avoidCPU: separateCPUs ? floodCPU : nil,
                                             cpu: arrangement?.steering.cpu, label: spec.name, context)
        defer { sink.stop(grace: 2) }

        // The counters are read outside the window: their cost is the reader's, not the path's.
        let droppedBefore = try filter.droppedPackets?()
        var receiveUsage: OneCPUUsage?
        var watch: ReceiveCPUWatch?
        let flood = try window.measure {
            watch = try ReceiveCPUWatch.start(arrangement)
            let flood = try FloodAgents.run(shape(spec, sources: sources, cpu: separateCPUs ? floodCPU : nil), name: spec.name, context)
            // On veth the path runs in the sender's softirq, but a backlog handed to ksoftirqd can trail
            // it by a few milliseconds: let it land before the window closes and the counters are read.
            usleep(100_000)
            receiveUsage = try watch?.stop()
            return flood
        }
        let dropped = try filter.droppedSince(droppedBefore)
        let sinkReport = try FloodAgents.stopSink(sink, spec.name)
        return try PacketRateMeasurement(flood: flood, sink: sinkReport, filterDropped: dropped, enforces: filter.enforces)
            .samples(workload: spec.name)
            + ReceiveCPUWatch.samples(receiveUsage, of: watch, handledPackets: sinkReport.reachedSocket + (dropped ?? 0),
                                           workload: spec.name)
    }

    /// Steers the filter point's receive path to `cpu` when one is asked for and the machine has it;
    /// nil when none is asked for or the machine has one CPU (said on stderr: the run goes on unsteered).
    static func steer(_ cpu: Int?, online: Int, at point: FilterPoint, workload: String) throws -> ReceiveSteering.Applied? {
        guard let cpu else { return nil }
        if let skipped = try ReceiveCPUField.check(cpu, online: online, workload: workload) {
            FileHandle.standardError.write(Data((skipped + "\n").utf8))
            return nil
        }
        return try ReceiveSteering(filterPoint: point, cpu: cpu).apply()
    }

    static func shape(_ spec: PacketRateWorkload, sources: PacketRateSources, cpu: Int?) -> FloodAgents.Shape {
        FloodAgents.Shape(sources: sources, deniedShare: spec.deniedShare, payloadBytes: spec.payloadBytes,
                          rate: spec.packetsPerSecond, durationSeconds: spec.durationSeconds, cpu: cpu, openLoop: spec.openLoop)
    }
}
