import LabNetwork
import LabPolicy
@testable import LabTraffic

/// Sends UDP round trips through the filter point with benchlab's own agent and turns them into
/// verdicts: a denied flow completes no round trip (its requests are dropped, none is answered).
struct UDPFlowChecker {
    let context: TrafficContext
    /// Requests per flow: each is one packet the filter decides on.
    let requests = 3

    struct Outcome {
        var flow: Flow
        var observed: Action
        /// Requests the client sent: packets the filter saw on the ingress interface.
        var sent: Int
    }

    /// One flow from `source` (a client-pool address) to the server's `port`.
    func send(from source: IPv4Address, port: UInt16) throws -> Outcome {
        let report = try WorkloadRunner.runAgent(
            .rrClient(RoundTripClientRequest(transport: .udp, target: Endpoint(host: "\(context.topology.serverAddress)", port: port),
                                             payload: 16, count: requests, duration: 3, source: "\(source)")),
            timeout: 15, context)
        let flow = Flow(proto: .udp, source: source, destination: context.topology.serverAddress, destinationPort: port)
        return Outcome(flow: flow, observed: report.completed > 0 ? .allow : .deny, sent: report.completed + report.failed)
    }

    /// Runs `body` with UDP echo servers on every port in `ports`, so a missing answer can only mean
    /// the filter dropped the request (a closed port would look like a drop).
    func withEchoServers<T>(_ ports: [UInt16], _ body: () throws -> T) throws -> T {
        guard let port = ports.first else { return try body() }
        return try WorkloadRunner.withEchoServer(.udp, port: port, lifetime: 300, name: "nf-echo-\(port)", context) {
            try withEchoServers(Array(ports.dropFirst()), body)
        }
    }
}
