import Foundation
import LabNetwork
import LabSystem
import LabTraffic
import Testing

@Suite("Agent protocol")
struct AgentProtocolTests {
    static let target = Endpoint(host: "198.18.1.2", port: 7001)
    static let requests: [AgentRequest] = [
        .rrServer(RoundTripServerRequest(transport: .udp, bind: target, deadline: 10)),
        .rrClient(RoundTripClientRequest(transport: .tcp, target: target, payload: 16, count: 5, duration: 1, source: "198.19.0.9")),
        .connectClient(ConnectClientRequest(target: target, count: 20, duration: 1)),
        .probeSink(ProbeSinkRequest(flowsFile: "/tmp/x/probe-flows.json", deadline: 12)),
        .probeClient(ProbeClientRequest(flowsFile: "/tmp/x/probe-flows.json", timeout: 0.25)),
        .flood(FloodRequest(interface: "blx-c0", sourceMac: "02:62:6c:00:00:01", gatewayMac: "02:62:6c:00:00:02", target: target,
                            allowed: ["198.19.0.1"], denied: ["198.19.0.2"], deniedShare: 0.25, size: 18, rate: 0, duration: 0.5,
                            count: 1000, cpu: 0)),
        .ppsSink(PacketSinkRequest(bind: target, deadline: 30, avoidCpu: nil)),
        // flood-goodput pins the echo server to the receive CPU and the client to the flood's.
        .rrServer(RoundTripServerRequest(transport: .udp, bind: target, deadline: 10, cpu: 1)),
        .rrClient(RoundTripClientRequest(transport: .udp, target: target, count: 5, duration: 1, source: "198.18.0.2", cpu: 0)),
    ]

    @Test("every request survives the command line and keeps its command name", arguments: requests)
    func roundTrip(request: AgentRequest) throws {
        let command = AgentChannel.command(request, executable: "/usr/bin/benchlab")
        #expect(command.arguments.count == 2 && command.arguments[0] == "agent")
        #expect(command.arguments[1].hasPrefix("{\"\(request.command)\":{"))
        #expect(try AgentChannel.decodeRequest(command.arguments[1]) == request)
        try request.validate()
    }

    @Test("the wire form names fields as documented")
    func wireForm() {
        let json = AgentChannel.encode(.rrClient(RoundTripClientRequest(transport: .udp, target: Self.target, count: 3, duration: 1)))
        #expect(json == #"{"rr-client":{"count":3,"duration":1,"payload":64,"protocol":"udp","target":"198.18.1.2:7001"}}"#)
    }

    @Test("a malformed request is one line naming what is wrong")
    func malformed() {
        for (text, expected) in [("not json", "agent request is not valid: "),
                                 (#"{"teleport":{}}"#, "unknown agent command 'teleport'"),
                                 (#"{"rr-client":{"protocol":"udp"}}"#, "missing 'target'"),
                                 (#"{"rr-server":{"protocol":"udp","bind":"nowhere","deadline":1}}"#, "not an IPv4 host:port: nowhere")] {
            let error = #expect(throws: LabFailure.self) { _ = try AgentChannel.decodeRequest(text) }
            #expect(error?.description.contains(expected) == true, "\(text): \(error?.description ?? "")")
            #expect(error?.description.contains("\n") == false)
        }
    }

    @Test("requests out of bounds are refused before anything runs")
    func validation() {
        let invalid: [AgentRequest] = [
            .rrClient(RoundTripClientRequest(transport: .udp, target: Self.target, payload: 0)),
            .connectClient(ConnectClientRequest(target: Self.target, count: 0)),
            .rrServer(RoundTripServerRequest(transport: .tcp, bind: Self.target, deadline: 0)),
            .probeClient(ProbeClientRequest(flowsFile: "f", timeout: 11)),
            .flood(FloodRequest(interface: "i", sourceMac: "02:62:6c:00:00:01", gatewayMac: "02:62:6c:00:00:02", target: Self.target,
                                allowed: [], denied: ["198.19.0.2"], deniedShare: 0.5, size: 18, rate: 0, duration: 1, count: 1, cpu: nil)),
        ]
        for request in invalid {
            #expect(throws: LabFailure.self, "\(request.command)") { try request.validate() }
        }
    }

    @Test("a reply is the last line; anything else is an error quoting the output")
    func replies() throws {
        let report = try AgentChannel.decodeReply([Int].self, from: "ready\n[1,2]\n", "x")
        #expect(report == [1, 2])
        let error = #expect(throws: LabFailure.self) { _ = try AgentChannel.decodeReply([Int].self, from: "oops", "agent x") }
        #expect(error?.description == "agent x printed no report: oops")
    }
}
