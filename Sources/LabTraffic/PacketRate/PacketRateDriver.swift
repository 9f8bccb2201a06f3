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
    static let port: UInt16 = 7004
    /// No flood sends faster than this (veth paths forward a few hundred kpps to a few Mpps): the count
    /// bound of an unpaced flood, beside its time bound.
    static let ceilingPacketsPerSecond = 50_000_000.0
    /// The flood's CPU, and the one the sink stays off, on a machine with more than one.
    static let floodCPU = 0

    static func run(_ spec: PacketRateWorkload, filter: FilterUnderTest, _ context: TrafficContext,
                    _ window: TrafficWindow) throws -> [Sample] {
        let sources = try PacketRateSources.select(for: filter.policy, deniedShare: spec.deniedShare, deniedFrom: spec.deniedFrom,
                                                   port: port, workload: spec.name)
        let topology = context.topology
        let online = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        let separateCPUs = online > 1
        let arrangement = try steer(spec.receiveCPU, online: online, at: topology.filterPoint, workload: spec.name)
        defer { arrangement.map(ReceiveSteering.restore) }
        let sinkRequest = AgentRequest.ppsSink(PacketSinkRequest(
            bind: Endpoint(host: "\(topology.serverAddress)", port: port),
            // A sink orphaned by a crashed run exits on its own.
            deadline: spec.durationSeconds + 30, avoidCpu: separateCPUs ? floodCPU : nil, cpu: arrangement?.steering.cpu))
        let sink = try BackgroundProcess(context.agent(sinkRequest, in: topology.server),
                                         stdoutPath: context.file("\(spec.name)-sink.out"),
                                         stderrPath: context.file("\(spec.name)-sink.err"))
        defer { sink.stop(grace: 2) }
        try ListenerProbe.waitForListener(namespace: topology.server, port: port, transport: .udp, process: sink)

        // The counters are read outside the window: their cost is the reader's, not the path's.
        let droppedBefore = try filter.droppedPackets?()
        var perCPU: (before: [Int: CPUTimes], after: [Int: CPUTimes])?
        let flood = try window.measure {
            let before = arrangement == nil ? nil : try PerCPUTimes.read()
            let flood = try runFlood(spec, sources: sources, cpu: separateCPUs ? floodCPU : nil, context)
            // On veth the path runs in the sender's softirq, but a backlog handed to ksoftirqd can trail
            // it by a few milliseconds: let it land before the window closes and the counters are read.
            usleep(100_000)
            if let before { perCPU = (before, try PerCPUTimes.read()) }
            return flood
        }
        let droppedAfter = try filter.droppedPackets?()
        let sinkReport = try stopSink(sink, spec.name)
        let dropped = droppedBefore.flatMap { before in droppedAfter.map { $0 >= before ? $0 - before : 0 } }
        var samples = try PacketRateMeasurement(flood: flood, sink: sinkReport, filterDropped: dropped, enforces: filter.enforces)
            .samples(workload: spec.name)
        if let arrangement, let perCPU, let before = perCPU.before[arrangement.steering.cpu],
           let after = perCPU.after[arrangement.steering.cpu] {
            let cost = ReceiveCPUCost(usage: OneCPUUsage(from: before, to: after), handledPackets: sinkReport.received + (dropped ?? 0))
            samples += cost.samples(workload: spec.name, arrangement: arrangement)
        }
        return samples
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

    static func floodRequest(_ spec: PacketRateWorkload, sources: PacketRateSources, cpu: Int?, topology: Topology) -> AgentRequest {
        let nextHop = topology.clientGateway
        let maximum = spec.packetsPerSecond > 0
            ? Double(spec.packetsPerSecond) * spec.durationSeconds
            : ceilingPacketsPerSecond * spec.durationSeconds
        return .flood(FloodRequest(
            interface: topology.clientInterface.name, sourceMac: topology.clientInterface.mac, gatewayMac: nextHop.mac,
            target: Endpoint(host: "\(topology.serverAddress)", port: port),
            allowed: sources.allowed.map { "\($0)" }, denied: sources.denied.map { "\($0)" }, deniedShare: spec.deniedShare,
            size: spec.payloadBytes, rate: spec.packetsPerSecond, duration: spec.durationSeconds,
            count: UInt64(maximum.rounded(.up)), cpu: cpu))
    }

    private static func runFlood(_ spec: PacketRateWorkload, sources: PacketRateSources, cpu: Int?,
                                 _ context: TrafficContext) throws -> FloodReport {
        let request = floodRequest(spec, sources: sources, cpu: cpu, topology: context.topology)
        let result = try Subprocess.run(context.agent(request, in: context.topology.client), timeout: spec.durationSeconds + 10)
        try result.requireSuccess("\(spec.name): agent flood")
        return try AgentChannel.decodeReply(FloodReport.self, from: result.stdout, "\(spec.name): agent flood")
    }

    private static func stopSink(_ sink: BackgroundProcess, _ name: String) throws -> SinkReport {
        let status = sink.stop(grace: 2)
        guard status == 0 else {
            let detail = sink.readStderr().split(whereSeparator: \.isNewline).last.map(String.init) ?? "no output"
            throw LabFailure("\(name): agent pps-sink exited \(status): \(detail)")
        }
        return try AgentChannel.decodeReply(SinkReport.self, from: sink.readStdout(), "\(name): agent pps-sink")
    }
}
