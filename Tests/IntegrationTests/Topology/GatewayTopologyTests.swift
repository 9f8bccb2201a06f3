import Foundation
import LabNetwork
import LabSystem
import LabTestSupport
import LabTopology
@testable import LabTraffic
import Testing

extension KernelTests {
    @Suite("Gateway topology on the real kernel")
    struct GatewayTopologyTests {
        /// 20 TCP round trips from `source` (a pod address of the node in `namespace`) to the server.
        static func roundTrips(from source: IPv4Address, in namespace: String, _ context: TrafficContext) throws -> AgentReport {
            let request = AgentRequest.rrClient(RoundTripClientRequest(
                transport: .tcp, target: Endpoint(host: "\(AddressPlan.server)", port: 7002), count: 20, duration: 5, source: "\(source)"))
            let result = try Subprocess.run(context.agent(request, in: namespace), timeout: 10)
            try result.requireSuccess("agent rr-client in \(namespace)")
            return try AgentChannel.decodeReply(AgentReport.self, from: result.stdout, "agent rr-client")
        }

        static func routeGet(_ namespace: String, to destination: IPv4Address = AddressPlan.server) throws -> String {
            try Subprocess.run(Command("ip", ["-n", namespace, "route", "get", "\(destination)"]), timeout: 5).stdout
        }

        /// The route to the server once it goes via `gateway`, polled: the peer's carrier loss reaches
        /// the routes through linkwatch, which batches events for up to a second.
        static func routeGet(_ namespace: String, to destination: IPv4Address = AddressPlan.server, via gateway: String) throws -> String {
            var route = try routeGet(namespace, to: destination)
            for _ in 0..<30 where !route.contains("via \(gateway) ") {
                Thread.sleep(forTimeInterval: 0.1)
                route = try routeGet(namespace, to: destination)
            }
            return route
        }

        @Test("2 nodes × 4 pods × 2 gateways: pods of n1 and n2 reach the server through gw1, and through gw2 once gw1 is down")
        func podsReachTheServerAndFailOver() throws {
            let preset = try TopologyPreset.gateway(GatewayParameters(nodes: 2, podsPerNode: 4, gateways: 2))
            var id = ""
            try withTestJournal("gateway") { journal in
                let topology = try TopologyBuilder.up(preset, journal: journal)
                id = topology.id
                let scratch = try TestEnvironment.temporaryDirectory("gateway")
                defer { try? FileManager.default.removeItem(atPath: scratch) }
                let context = TrafficContext(topology: topology, scratchDirectory: scratch, agentExecutable: TestEnvironment.benchlabBinary)
                let n1 = topology.node(named: "n1")!.namespace
                let n2 = topology.node(named: "n2")!.namespace
                let n1Pods = topology.podAddresses.filter { IPv4Prefix("198.18.64.0/24")!.contains($0) }
                let n2Pods = topology.podAddresses.filter { IPv4Prefix("198.18.65.0/24")!.contains($0) }
                #expect(n1Pods.count == 4 && n2Pods.count == 4)

                // Unbound sockets use the node's first pod; the primary path is gw1 (198.18.0.2 from n1).
                let before = try Self.routeGet(n1)
                #expect(before.contains("via 198.18.0.2") && before.contains("src 198.18.64.2"), "\(before)")
                #expect(try Self.routeGet(n2).contains("src 198.18.65.2"))

                try WorkloadRunner.withEchoServer(.tcp, port: 7002, lifetime: 40, name: "gw", context) {
                    for (namespace, source) in [(n1, n1Pods.first!), (n1, n1Pods.last!), (n2, n2Pods.first!), (n2, n2Pods.last!)] {
                        let report = try Self.roundTrips(from: source, in: namespace, context)
                        #expect(report.completed == 20, "from \(source) through gw1: \(report)")
                    }
                    // gw1 loses its node-facing links: the nodes' routes through it are linkdown and ignored.
                    for interface in topology.nodeFacingInterfaces(of: "gw1") {
                        try IPCommand.run(["-n", interface.namespace, "link", "set", interface.name, "down"], doing: "down \(interface.name)")
                    }
                    let after = try Self.routeGet(n1, via: "198.18.0.6")
                    #expect(after.contains("via 198.18.0.6") && after.contains("src 198.18.64.2"), "n1 after gw1 went down: \(after)")
                    #expect(try Self.routeGet(n2, via: "198.18.0.14").contains("via 198.18.0.14"))
                    // The whole of gw1 goes: the server's return route through it is linkdown too, so
                    // replies come back through gw2 and connections succeed end to end.
                    let external = topology.interfaces.first { $0.node == "gw1" && $0.address.hasPrefix("198.18.4.") }!
                    try IPCommand.run(["-n", external.namespace, "link", "set", external.name, "down"], doing: "down \(external.name)")
                    let back = try Self.routeGet(topology.server, to: n2Pods.last!, via: "198.18.5.1")
                    #expect(back.contains("via 198.18.5.1"), "the server's route back after gw1 went down: \(back)")
                    for (namespace, source) in [(n1, n1Pods.first!), (n2, n2Pods.last!)] {
                        let report = try Self.roundTrips(from: source, in: namespace, context)
                        #expect(report.completed == 20, "from \(source) through gw2: \(report)")
                    }
                }
            }
            #expect(namespacesLeft(matching: [id]).isEmpty)
        }

        @Test("an egress route that prefers gw2 steers that node's pods through gw2 (ip rule + table); others keep gw1")
        func egressRoutesSteerThroughGw2() throws {
            let preset = try TopologyPreset.gateway(GatewayParameters(nodes: 2, podsPerNode: 2, gateways: 2, egressRoutes: [
                .init(sources: [IPv4Prefix("198.18.65.0/24")!], gateways: ["gw2", "gw1"]),
            ]))
            var id = ""
            try withTestJournal("gateway-egress") { journal in
                let topology = try TopologyBuilder.up(preset, journal: journal)
                id = topology.id
                let n1 = topology.node(named: "n1")!.namespace
                let n2 = topology.node(named: "n2")!.namespace
                let fromPod = try Subprocess.run(Command("ip", ["-n", n2, "route", "get", "\(AddressPlan.server)", "from", "198.18.65.3"]),
                                                 timeout: 5).stdout
                #expect(fromPod.contains("via 198.18.0.14") && fromPod.contains("table 100"), "\(fromPod)")
                let n1Pod = try Subprocess.run(Command("ip", ["-n", n1, "route", "get", "\(AddressPlan.server)", "from", "198.18.64.3"]),
                                               timeout: 5).stdout
                #expect(n1Pod.contains("via 198.18.0.2"), "\(n1Pod)")
                let scratch = try TestEnvironment.temporaryDirectory("gateway-egress")
                defer { try? FileManager.default.removeItem(atPath: scratch) }
                let context = TrafficContext(topology: topology, scratchDirectory: scratch, agentExecutable: TestEnvironment.benchlabBinary)
                try WorkloadRunner.withEchoServer(.tcp, port: 7002, lifetime: 20, name: "gw", context) {
                    let report = try Self.roundTrips(from: IPv4Address("198.18.65.3")!, in: n2, context)
                    #expect(report.completed == 20, "from n2's pod through gw2: \(report)")
                }
            }
            #expect(namespacesLeft(matching: [id]).isEmpty)
        }
    }
}
