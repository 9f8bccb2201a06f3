import LabConntrack
import LabNetwork
import LabPolicy
import LabResults
import LabSystem

/// One `masquerade-delay` run. The connect loop runs in an agent in the client namespace and the rule
/// is added here, in the runner, at the same time: the two overlap as processes, and both read
/// CLOCK_MONOTONIC, which is one clock for the whole machine, so the agent's success time and this
/// process's t0 subtract.
struct MasqueradeDelayRun {
    let workload: MasqueradeDelayWorkload
    let context: TrafficContext
    let filter: FilterUnderTest

    func run() throws -> [Sample] {
        let name = workload.name
        let topology = context.topology
        let port = MasqueradeDelayWorkload.port
        let translators = filter.translators
        let ids = translators.map { ObjectIdentifier($0) }
        var egressIP: IPv4Address?
        if !translators.isEmpty {
            guard let first = filter.policy.snat?.egressIPs.first else {
                throw LabFailure("\(name): the case has a translator but its policy names no egress IP to program")
            }
            egressIP = first
        }
        let addresses = try SNATSources.newPods(topology, policy: filter.policy, port: port, count: workload.samples,
                                                excluding: ProgrammedSources.shared.used(ids), workload: name)
        let target = Endpoint(host: "\(topology.serverAddress)", port: port)
        return try ConnectionAgents.withServer(.tcp, port: port, lifetime: workload.maximumSeconds + 10, name: name, context) {
            var samples: [Sample] = []
            for (k, address) in addresses.enumerated() {
                let request = FirstConnectRequest(source: "\(address)", target: target, interval: workload.intervalSeconds,
                                                  attemptTimeout: workload.attemptTimeoutSeconds, deadline: workload.timeoutSeconds)
                let client = try BackgroundProcess(context.agent(.firstConnect(request), in: topology.client),
                                                   stdoutPath: context.file("\(name)-client\(k).out"),
                                                   stderrPath: context.file("\(name)-client\(k).err"))
                defer { client.stop(grace: 1) }
                try ConnectionAgents.waitForReady(client, timeout: 5, "\(name): agent first-connect")
                var programmed: (t0: UInt64, returned: UInt64)?
                if let egressIP {
                    let rule = EgressRule(sources: [IPv4Prefix(address: address, length: 32)!], egressIPs: [egressIP])
                    let t0 = MonotonicClock.nanoseconds()
                    ProgrammedSources.shared.record(address, ids)
                    for translator in translators { _ = try translator.add(rule) }
                    programmed = (t0, MonotonicClock.nanoseconds())
                }
                guard let status = try client.waitForExit(timeout: workload.timeoutSeconds + 5) else {
                    throw LabFailure("\(name): agent first-connect from \(address) still running after \(Int(workload.timeoutSeconds + 5)) s")
                }
                guard status == 0 else {
                    let detail = client.readStderr().split(whereSeparator: \.isNewline).last.map(String.init) ?? "no output"
                    throw LabFailure("\(name): agent first-connect from \(address) exited \(status): \(detail)")
                }
                let report = try AgentChannel.decodeReply(FirstConnectReport.self, from: client.readStdout(), "\(name): agent first-connect")
                samples += try Self.samples(report, programmed: programmed, source: address, workload: workload)
            }
            return samples
        }
    }

    /// One sample's numbers. A first success before t0 means the address already left through the
    /// gateway, which would measure nothing: that is an error, not a 0.
    static func samples(_ report: FirstConnectReport, programmed: (t0: UInt64, returned: UInt64)?, source: IPv4Address,
                        workload: MasqueradeDelayWorkload) throws -> [Sample] {
        guard let success = report.firstSuccessNanoseconds else {
            throw LabFailure("\(workload.name): no connection from \(source) opened within \(formatSeconds(workload.timeoutSeconds)) "
                             + "(\(report.attempts) attempts\(report.firstError.map { ", first error: \($0)" } ?? ""))")
        }
        guard let programmed else {
            return [Sample(workload: workload.name, metric: MasqueradeDelayWorkload.firstConnect,
                           value: Double(success - report.firstAttemptNanoseconds) / 1e6)]
        }
        guard success >= programmed.t0 else {
            throw LabFailure("\(workload.name): \(source) connected before its egress rule was added: something already lets it out")
        }
        return [Sample(workload: workload.name, metric: MasqueradeDelayWorkload.delay, value: Double(success - programmed.t0) / 1e6),
                Sample(workload: workload.name, metric: MasqueradeDelayWorkload.program,
                       value: Double(programmed.returned - programmed.t0) / 1e6)]
    }
}
