import CLabShims
import Foundation
import LabNetwork
import LabPacket
import LabPolicy
import LabSystem

/// The agent side of `AgentChannel`: carries out one request inside the namespace it was started in.
public enum AgentHost {
    public static func perform(_ request: AgentRequest) throws {
        try request.validate()
        switch request {
        case .rrServer(let r):
            try pin(to: r.cpu, "rr-server")
            try RoundTripServer.serve(protocol: r.transport, bind: r.bind, deadline: r.deadline, ready: AgentChannel.announceReady)
        case .rrClient(let r):
            try pin(to: r.cpu, "rr-client")
            try AgentChannel.reply(try RoundTripClient.run(protocol: r.transport, target: r.target, payload: r.payload,
                                                           count: r.count, duration: r.duration, source: r.source))
        case .connectClient(let r):
            try AgentChannel.reply(try ConnectClient.run(target: r.target, count: r.count, duration: r.duration))
        case .probeSink(let r):
            try ProbeSink.serve(flows: try readFlows(r.flowsFile), deadline: r.deadline, ready: AgentChannel.announceReady)
        case .probeClient(let r):
            try AgentChannel.reply(try ProbeClient.run(flows: try readFlows(r.flowsFile), timeout: r.timeout))
        case .flood(let r):
            Cancellation.shared.install(emergency: {})
            try AgentChannel.reply(try PacketFlood.run(floodOptions(r)))
        case .ppsSink(let r):
            // SIGTERM is the driver's "stop and report": it only sets the flag the receive loop polls.
            Cancellation.shared.install(emergency: {})
            let report = try PacketSink.serve(bind: r.bind, deadline: r.deadline, avoidCPU: r.avoidCpu, cpu: r.cpu,
                                              ready: AgentChannel.announceReady)
            try AgentChannel.reply(report)
        case .flowFill(let r):
            Cancellation.shared.install(emergency: {})
            try AgentChannel.reply(try FlowFill.send(r.options()))
        case .connServer(let r):
            // The snat-exhaustion ramp holds as many connections as the port range has ports, each an fd here.
            try FileLimit.raiseAsRoot(toAtLeast: SNATRampPlan.maximumConnections + 1024)
            try ConnectionServer.serve(bind: r.bind, deadline: r.deadline, ready: AgentChannel.announceReady)
        case .churnClient(let r):
            Cancellation.shared.install(emergency: {})
            try AgentChannel.reply(try ConnectionChurn.run(r.options()))
        case .establishedClient(let r):
            // SIGTERM is the driver's "stop and report".
            Cancellation.shared.install(emergency: {})
            try AgentChannel.reply(try EstablishedFlowsClient.run(r.options(), ready: AgentChannel.announceReady))
        case .snatRamp(let r):
            Cancellation.shared.install(emergency: {})
            try AgentChannel.reply(try SNATRampClient.run(r.options(), ready: AgentChannel.announceReady))
        case .firstConnect(let r):
            try AgentChannel.reply(try FirstConnectClient.run(r.options(), ready: AgentChannel.announceReady))
        }
    }

    /// Pins the agent to `cpu` when one is asked for.
    static func pin(to cpu: Int?, _ command: String) throws {
        guard let cpu else { return }
        try systemCall("pin \(command) to CPU \(cpu)") { lab_pin_to_cpu(Int32(cpu)) }
    }

    /// One frame per schedule slot, from the slot's source to the target (validated request).
    static func floodOptions(_ r: FloodRequest) -> PacketFlood.Options {
        let sources = PacketRateSources(allowed: r.allowed.compactMap { IPv4Address($0) }, denied: r.denied.compactMap { IPv4Address($0) })
        let schedule = PacketSchedule(sources: sources, deniedShare: r.deniedShare)
        let destination = IPv4Address(r.target.host)!
        let frames = schedule.slots.map {
            UDPFrame(sourceMAC: MACAddress(r.sourceMac)!, destinationMAC: MACAddress(r.gatewayMac)!, source: $0.source,
                     destination: destination, sourcePort: $0.sourcePort, destinationPort: r.target.port, payloadBytes: r.size)
        }
        return PacketFlood.Options(interface: r.interface, frames: frames, schedule: schedule, packetsPerSecond: r.rate,
                                   durationSeconds: r.duration, maximumPackets: r.count, cpu: r.cpu, openLoop: r.openLoop ?? false)
    }

    static func readFlows(_ path: String) throws -> [Flow] {
        guard let data = FileManager.default.contents(atPath: path) else { throw LabFailure("cannot read \(path)", exitStatus: .badInput) }
        return try JSONDecoder().decode([Flow].self, from: data)
    }
}
