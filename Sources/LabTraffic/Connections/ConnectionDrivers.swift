#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LabNetwork
import LabSystem

/// Ports the connection workloads' servers listen on (beside the other workloads' 7001–7004 and the
/// fill's 7007, so they can run at once).
enum ConnectionPorts {
    static let churn: UInt16 = 7005
    static let established: UInt16 = 7006
}

extension ConnectionChurn {
    /// Short connections from the client namespace to a server agent (conn-server for TCP, the UDP
    /// echo rr-server for UDP) in the server namespace, from client-pool sources `filter`'s policy
    /// allows. `clients` churn agents (default: one per CPU) share the rate, the concurrency, the
    /// count and — split between them, so no two send the same 5-tuple — the sources; their reports
    /// are merged (`MergedChurn`). Every child is reaped before this returns.
    public static func run(transport: TransportProtocol, rate: Int, durationSeconds: Double, count: Int = 10_000_000,
                           concurrency: Int = 64, clients: Int? = nil, seed: UInt64 = 2, name: String = "churn",
                           filter: FilterUnderTest, _ context: TrafficContext,
                           _ window: TrafficWindow = .unobserved) throws -> ChurnReport {
        let port = ConnectionPorts.churn
        let sources = try ConnectionSources.select(for: filter.policy, proto: transport, port: port,
                                                   pool: SourcePool(topology: context.topology), workload: name)
        let wanted = clients ?? max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        let shares = ChurnShares(clients: min(wanted, sources.count, concurrency, count), rate: rate, concurrency: concurrency, count: count)
        let target = Endpoint(host: "\(context.topology.serverAddress)", port: port)
        let requests = (0..<shares.clients).map { k -> ChurnClientRequest in
            let own = stride(from: k, to: sources.count, by: shares.clients).map { "\(sources[$0])" }
            let flows = FlowPlanRequest(sources: own, target: target,
                                        count: min(shares.count(k), FlowFillPlan.capacity(sources: own.count)), seed: seed &+ UInt64(k))
            return ChurnClientRequest(transport: transport, flows: flows, rate: shares.rate(k), duration: durationSeconds,
                                      count: shares.count(k), concurrency: shares.concurrency(k))
        }
        return try ConnectionAgents.withServer(transport, port: port, lifetime: durationSeconds + 30, name: name, context) {
            let reports = try window.measure {
                try ConnectionAgents.runClients(requests.map { .churnClient($0) }, timeout: durationSeconds + 30, name: name, context)
            }
            return MergedChurn.merge(try reports.map { try AgentChannel.decodeReply(ChurnReport.self, from: $0, "\(name): agent churn-client") })
        }
    }
}

/// How a churn's rate, concurrency and count are split between its clients (the first ones take
/// the remainders; a rate of 0 stays "as fast as possible" for each).
struct ChurnShares: Equatable {
    let clients: Int
    let rate: Int
    let concurrency: Int
    let totalCount: Int

    init(clients: Int, rate: Int, concurrency: Int, count: Int) {
        self.clients = max(1, clients)
        self.rate = rate
        self.concurrency = concurrency
        totalCount = count
    }

    private func share(_ total: Int, _ k: Int) -> Int { total / clients + (k < total % clients ? 1 : 0) }
    func rate(_ k: Int) -> Int { rate == 0 ? 0 : max(1, share(rate, k)) }
    func concurrency(_ k: Int) -> Int { max(1, share(concurrency, k)) }
    func count(_ k: Int) -> Int { max(1, share(totalCount, k)) }
}

/// N long-lived TCP connections kept alive in the background while other traffic runs: `start`
/// opens them (and their server), `stop` ends both and returns what broke.
public final class EstablishedFlows {
    public static let maximumFlows = 4096
    let name: String
    let server: BackgroundProcess
    let client: BackgroundProcess
    private var report: EstablishedReport?

    private init(name: String, server: BackgroundProcess, client: BackgroundProcess) {
        self.name = name
        self.server = server
        self.client = client
    }

    deinit {
        client.stop(grace: 1)
        server.stop(grace: 1)
    }

    /// Opens `count` connections from client-pool sources `filter`'s policy allows and returns once
    /// every one is open (or failed to open). `lifetime` bounds both agents should `stop` never come.
    public static func start(count: Int, intervalSeconds: Double, replyTimeout: Double = 1, lifetime: Double, seed: UInt64 = 3,
                             name: String = "established", filter: FilterUnderTest, _ context: TrafficContext) throws -> EstablishedFlows {
        guard (1...maximumFlows).contains(count) else { throw LabFailure("\(name): established must be 1...\(maximumFlows), not \(count)") }
        let port = ConnectionPorts.established
        let topology = context.topology
        let sources = try ConnectionSources.select(for: filter.policy, proto: .tcp, port: port, wanted: 4,
                                                   pool: SourcePool(topology: context.topology), workload: name)
        let target = Endpoint(host: "\(topology.serverAddress)", port: port)
        let server = try ConnectionAgents.startServer(.tcp, port: port, lifetime: lifetime + 10, name: name, context)
        do {
            let request = EstablishedClientRequest(
                flows: FlowPlanRequest(sources: sources.map { "\($0)" }, target: target, count: count, seed: seed),
                interval: intervalSeconds, replyTimeout: replyTimeout, deadline: lifetime)
            let client = try BackgroundProcess(context.agent(.establishedClient(request), in: topology.client),
                                               stdoutPath: context.file("\(name)-client.out"), stderrPath: context.file("\(name)-client.err"))
            let flows = EstablishedFlows(name: name, server: server, client: client)
            try ConnectionAgents.waitForReady(client, timeout: 5 + Double(count) * 0.01, "\(name): agent established-client")
            return flows
        } catch {
            server.stop(grace: 1)
            throw error
        }
    }

    /// Stops the keep-alive traffic and returns per-flow breakage. Idempotent.
    public func stop() throws -> EstablishedReport {
        if let report { return report }
        let status = client.stop(grace: 3)
        server.stop(grace: 1)
        guard status == 0 else {
            let detail = client.readStderr().split(whereSeparator: \.isNewline).last.map(String.init) ?? "no output"
            throw LabFailure("\(name): agent established-client exited \(status): \(detail)")
        }
        let decoded = try AgentChannel.decodeReply(EstablishedReport.self, from: client.readStdout(), "\(name): agent established-client")
        report = decoded
        return decoded
    }
}

/// The server agents of the connection workloads, started in the server namespace.
enum ConnectionAgents {
    static func startServer(_ transport: TransportProtocol, port: UInt16, lifetime: Double, name: String,
                            _ context: TrafficContext) throws -> BackgroundProcess {
        let topology = context.topology
        let bind = Endpoint(host: "\(topology.serverAddress)", port: port)
        let request: AgentRequest = transport == .tcp
            ? .connServer(ConnectionServerRequest(bind: bind, deadline: lifetime))
            : .rrServer(RoundTripServerRequest(transport: .udp, bind: bind, deadline: lifetime))
        let server = try BackgroundProcess(context.agent(request, in: topology.server),
                                           stdoutPath: context.file("\(name)-server.out"), stderrPath: context.file("\(name)-server.err"))
        do {
            try ListenerProbe.waitForListener(namespace: topology.server, port: port, transport: transport, process: server)
        } catch {
            server.stop(grace: 1)
            throw error
        }
        return server
    }

    static func withServer<T>(_ transport: TransportProtocol, port: UInt16, lifetime: Double, name: String,
                              _ context: TrafficContext, _ body: () throws -> T) throws -> T {
        let server = try startServer(transport, port: port, lifetime: lifetime, name: name, context)
        defer { server.stop(grace: 1) }
        return try body()
    }

    /// Runs client agents side by side in the client namespace and returns each one's stdout, in
    /// order; all are reaped (stopped if need be) before this returns.
    static func runClients(_ requests: [AgentRequest], timeout: Double, name: String, _ context: TrafficContext) throws -> [String] {
        var started: [BackgroundProcess] = []
        defer { for process in started { process.stop(grace: 1) } }
        for (k, request) in requests.enumerated() {
            started.append(try BackgroundProcess(context.agent(request, in: context.topology.client),
                                                 stdoutPath: context.file("\(name)-client\(k).out"),
                                                 stderrPath: context.file("\(name)-client\(k).err")))
        }
        let deadline = Deadline(secondsFromNow: timeout)
        return try zip(requests, started).map { request, process in
            let status = try process.waitForExit(timeout: max(0.1, deadline.remainingSeconds))
            guard let status else { throw LabFailure("\(name): agent \(request.command) still running after \(timeout) s") }
            guard status == 0 else {
                let detail = process.readStderr().split(whereSeparator: \.isNewline).last.map(String.init) ?? "no output"
                throw LabFailure("\(name): agent \(request.command) exited \(status): \(detail)")
            }
            return process.readStdout()
        }
    }

    /// Waits for the agent's "ready" line; throws with its last stderr line if it exits first.
    static func waitForReady(_ process: BackgroundProcess, timeout: Double, _ what: String) throws {
        let deadline = Deadline(secondsFromNow: timeout)
        while !process.readStdout().split(whereSeparator: \.isNewline).contains(where: { $0 == AgentChannel.readyLine }) {
            try Cancellation.shared.checkpoint()
            if let status = process.exitStatus {
                let detail = process.readStderr().split(whereSeparator: \.isNewline).last.map(String.init) ?? "no output"
                throw LabFailure("\(what) exited \(status) before it was ready: \(detail)")
            }
            if deadline.hasPassed {
                process.stop(grace: 1)
                throw LabFailure("\(what) was not ready after \(timeout) s")
            }
            usleep(10_000)
        }
    }
}
