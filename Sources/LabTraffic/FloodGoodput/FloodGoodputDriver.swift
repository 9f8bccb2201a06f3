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

/// Runs a flood-goodput workload (the XDP paper's DDoS test): good request/response transactions
/// from the client's own address while a flood from denied sources runs against the same server.
///
/// 1. The receive path is steered (as packet-rate does) and the echo server and the flood's sink
///    start on the receive CPU, so the flood's filtering, the good requests' receive path and the
///    server compete for one CPU, as behind a NIC's RSS.
/// 2. A short unpaced flood measures the generator's ceiling in this run (see `ceilingFlood`).
/// 3. Inside the traffic window, concurrently: the flood at `flood_share` × ceiling and the
///    request/response client, both on the flood's CPU.
/// Every child is reaped before this returns, also when it throws.
enum FloodGoodputDriver {
    /// Long enough for the sender to reach its pace (the first sendmmsg calls fault in the frames),
    /// short enough to cost little beside the measured run.
    static let ceilingSeconds = 0.3
    /// The flood starts first and runs this much longer than the client, so it covers the client's
    /// whole run, start-up of both agents included.
    static let floodLeadSeconds = 0.25

    static func run(_ spec: FloodGoodputWorkload, filter: FilterUnderTest, _ context: TrafficContext,
                    _ window: TrafficWindow) throws -> [Sample] {
        let topology = context.topology
        let echoPort = WorkloadRunner.udpEchoPort
        try requireAllowed(filter.policy, client: topology.clientAddress, server: topology.serverAddress, port: echoPort,
                           workload: spec.name)
        // The denied sources are checked (and chosen) before anything starts, at share 0 too: a bad
        // `denied_from` is the scenario's mistake at every step of its sweep.
        let sources = try PacketRateSources.select(for: filter.policy, deniedShare: 1, deniedFrom: spec.deniedFrom,
                                                   port: FloodAgents.port, pool: SourcePool(topology: context.topology), workload: spec.name)
        let online = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        let floodCPU = online > 1 ? PacketRateDriver.floodCPU : nil
        let arrangement = try PacketRateDriver.steer(spec.receiveCPU, online: online, at: topology.filterPoint, workload: spec.name)
        defer { arrangement.map(ReceiveSteering.restore) }
        let receiveCPU = arrangement?.steering.cpu
        func flood(rate: Int, seconds: Double) -> FloodAgents.Shape {
            FloodAgents.Shape(sources: sources, deniedShare: 1, payloadBytes: spec.payloadBytes, rate: rate,
                              durationSeconds: seconds, cpu: floodCPU)
        }

        return try WorkloadRunner.withEchoServer(.udp, port: echoPort, lifetime: spec.maximumSeconds + 30, name: spec.name,
                                                 cpu: receiveCPU, context) {
            let floods = spec.floodRate.map { $0 > 0 } ?? (spec.floodShare > 0)
            let ceiling = !floods ? nil
                : try FloodAgents.run(ceilingFlood(flood(rate: 0, seconds: ceilingSeconds)), name: "\(spec.name) (ceiling)", context)
            let ceilingPPS = try ceiling.map { try FloodGoodputMeasurement.rate($0, "ceiling flood", spec.name) } ?? 0
            let pace = spec.floodRate.map { FloodPace(packetsPerSecond: $0) }
                ?? FloodPace(share: spec.floodShare, ceilingPacketsPerSecond: ceilingPPS)
            // Open loop, as an attacker floods: a frame the full receive queue refuses is lost, not sent
            // again, so the flood keeps its pace and the good traffic meets a queue that drops as a
            // NIC's ring does, instead of one a retrying sender keeps full.
            let floodShape = pace.agentRate.map { rate -> FloodAgents.Shape in
                var shape = flood(rate: rate, seconds: spec.durationSeconds + floodLeadSeconds)
                shape.openLoop = true
                return shape
            }

            let sink = try FloodAgents.startSink(lifetime: spec.maximumSeconds + 30, avoidCPU: floodCPU, cpu: receiveCPU,
                                                 label: spec.name, context)
            defer { sink.stop(grace: 2) }
            let client = AgentRequest.rrClient(RoundTripClientRequest(
                transport: .udp, target: Endpoint(host: "\(topology.serverAddress)", port: echoPort), payload: spec.rrPayloadBytes,
                count: spec.transactionBound, duration: spec.durationSeconds, source: "\(topology.clientAddress)", cpu: floodCPU))
            // The counters are read outside the window: their cost is the reader's, not the path's.
            let droppedBefore = floodShape == nil ? nil : try filter.droppedPackets?()
            var watch: ReceiveCPUWatch?
            var usage: OneCPUUsage?
            let (transactions, floodReport) = try window.measure { () throws -> (AgentReport, FloodReport?) in
                watch = try ReceiveCPUWatch.start(arrangement)
                let running = try floodShape.map { try FloodAgents.start($0, label: spec.name, context) }
                defer { running?.stop(grace: 1) }
                let transactions = try WorkloadRunner.runAgent(client, timeout: spec.durationSeconds + 10, context)
                let floodReport = try running.map { try FloodAgents.finish($0, floodShape!, name: spec.name) }
                // A backlog handed to the receive CPU can trail the sender by a few milliseconds.
                usleep(100_000)
                usage = try watch?.stop()
                return (transactions, floodReport)
            }
            let dropped = try filter.droppedSince(droppedBefore)
            let sinkReport = try FloodAgents.stopSink(sink, spec.name)
            // Under a flood, no transaction at all is a result (the flood won); without one it is a fault.
            if transactions.completed == 0 && floodShape == nil {
                throw LabFailure("\(spec.name): no transaction completed without a flood (\(transactions.firstError ?? "\(transactions.failed) timed out"))")
            }
            let handled = sinkReport.reachedSocket + (dropped ?? 0) + UInt64(transactions.completed)
            return try FloodGoodputMeasurement(transactions: transactions, flood: floodReport, ceiling: ceiling, filterDropped: dropped)
                .samples(workload: spec.name)
                + ReceiveCPUWatch.samples(usage, of: watch, handledPackets: handled, workload: spec.name)
        }
    }

    /// The ceiling flood goes to a MAC no one has. On veth a receive CPU that cannot keep up pushes
    /// back: its full backlog makes veth_xmit fail, the generator's sendmmsg gets ENOBUFS and retries,
    /// so an unpaced flood against the case's own filter measures that filter (about 30 kpps for a
    /// 10k-rule iptables-legacy chain here, against 250 kpps for none), and every share would then be
    /// a share of a different rate per backend. Frames for another host are dropped at the start of
    /// IP input, so the receive side keeps up and the ceiling is the generator's, the same for all.
    static func ceilingFlood(_ shape: FloodAgents.Shape) -> FloodAgents.Shape {
        var shape = shape
        shape.destinationMAC = FloodAgents.unclaimedMAC
        return shape
    }

    /// The good transactions come from the client's own address; a policy that denies it would
    /// measure nothing but timeouts, so it is refused before anything starts.
    static func requireAllowed(_ policy: Policy, client: IPv4Address, server: IPv4Address, port: UInt16, workload: String) throws {
        let flow = Flow(proto: .udp, source: client, destination: server, destinationPort: port)
        guard ReferenceEvaluator.verdict(policy, flow) == .allow else {
            throw LabFailure("\(workload): the policy denies the good transactions (UDP \(client) → \(server):\(port)); "
                             + "allow the client's own address, and deny the flood's sources instead")
        }
    }
}
