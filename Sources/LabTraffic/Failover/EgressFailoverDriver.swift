import Foundation
import LabCapture
import LabNetwork
import LabPolicy
import LabSystem
import LabTopology

/// One failover: long-lived connections and a steady stream of new ones through the active gateway,
/// every server-side interface captured; then the active gateway is taken away from the nodes
/// (`GatewayFailover`) and the driver watches the new connections find the standby gateway.
struct EgressFailoverDriver {
    var workload: EgressFailoverWorkload
    var context: TrafficContext
    var filter: FilterUnderTest

    static let port: UInt16 = 7012

    struct Outcome {
        var timing: FailoverTiming
        var attempts: Int
        var established: EstablishedReport
        var packetsByEgress: [IPv4Address: Int]
        var leakedPackets: Int
        var capturedPackets: Int
    }

    func run(_ window: TrafficWindow) throws -> Outcome {
        let topology = context.topology
        let gateways = topology.gateways
        guard gateways.count >= 2 else {
            throw LabFailure("\(workload.name): needs a topology with two gateways (gateway preset with gateways: 2), "
                             + "\(topology.name) has \(gateways.count)")
        }
        let sources = try SNATSources.pods(topology, policy: filter.policy, port: Self.port, wanted: 16, workload: workload.name)
        let options = CaptureOptions(filter: "ip", packetLimit: 400_000, durationSeconds: workload.maximumSeconds + 30)
        let server = try ConnectionAgents.startServer(.tcp, port: Self.port, lifetime: workload.maximumSeconds + 30,
                                                      name: workload.name, context)
        defer { server.stop(grace: 1) }
        let established = try EstablishedFlows.start(count: workload.established, intervalSeconds: workload.establishedIntervalSeconds,
                                                     lifetime: workload.maximumSeconds + 30, name: "\(workload.name)-established",
                                                     filter: filter, context)
        let capture = try ServerSideCapture.start(topology) { _ in options }
        let prober = FailoverProber(namespace: topology.client, sources: sources.map { "\($0)" },
                                    target: Endpoint(host: "\(topology.serverAddress)", port: Self.port),
                                    intervalSeconds: 1 / Double(workload.rate), timeoutSeconds: workload.connectTimeoutSeconds)
        let (requested, down) = try window.measure { () throws -> (UInt64, UInt64) in
            prober.start()
            Thread.sleep(forTimeInterval: workload.failAfterSeconds)
            let requested = MonotonicClock.nanoseconds()
            try GatewayFailover.takeDown(gateways[0].name, in: topology)
            let down = MonotonicClock.nanoseconds()
            Thread.sleep(forTimeInterval: workload.durationSeconds - workload.failAfterSeconds)
            return (requested, down)
        }
        let attempts = try prober.stop()
        let kept = try established.stop()
        let packets = try capture.finish().compactMap(\.ipv4)
        let pods = topology.podCIDRs
        let toward = packets.filter { $0.destination == topology.serverAddress }
        let byEgress = Dictionary(grouping: toward.filter { source in !pods.contains { $0.contains(source.source) } }, by: \.source)
            .mapValues(\.count)
        return Outcome(timing: FailoverTiming(attempts, requestedAt: requested, downAt: down), attempts: attempts.count, established: kept,
                       packetsByEgress: byEgress, leakedPackets: toward.filter { p in pods.contains { $0.contains(p.source) } }.count,
                       capturedPackets: packets.count)
    }
}
