import Foundation
import LabNetwork
import LabPolicy
import LabSystem
import LabTestSupport
import LabTopology
@testable import LabTraffic
import Testing

extension KernelTests {
    /// The flood's AF_XDP sender is exact: what it reports sent is what the server's socket reads, and
    /// what it reports sent from denied sources is what a counting rule on the dut saw from them.
    @Suite("Flood sender: AF_XDP copy mode, AF_PACKET fallback")
    struct XDPFloodTests {
        @Test("a paced flood: the sink reads exactly the packets sent, a counter on the dut sees exactly the denied ones",
              .enabled(if: ToolLocator.exists("nft"), "nft is not installed"))
        func exactCounts() throws {
            try withTestJournal("xdp-flood") { journal in
                let topology = try TopologyBuilder.up(.routed, journal: journal)
                let scratch = try TestEnvironment.temporaryDirectory("xdp-flood")
                defer { try? FileManager.default.removeItem(atPath: scratch) }
                let context = TrafficContext(topology: topology, scratchDirectory: scratch, agentExecutable: TestEnvironment.benchlabBinary)
                // Counts (does not drop) the denied sources where the filter would sit.
                let point = topology.filterPoint
                let rules = """
                    table ip bltest {
                      chain forward {
                        type filter hook forward priority filter; policy accept;
                        iifname "\(point.ingressInterface)" ip saddr 198.19.0.0/24 counter
                      }
                    }
                    """
                try Subprocess.run(Command("nft", ["-f", "-"]).inNamespace(point.namespace), input: rules).requireSuccess("load test rules")
                let policy = Policy(rules: [Rule(action: .deny, source: IPv4Prefix("198.19.0.0/24"))], defaultAction: .allow)
                let spec = PacketRateWorkload(name: "pr", durationSeconds: 1, packetsPerSecond: 20_000, deniedShare: 0.25)
                let port = PacketRateDriver.port
                let sources = try PacketRateSources.select(for: policy, deniedShare: spec.deniedShare, port: port, workload: "pr")

                let sink = try BackgroundProcess(
                    context.agent(.ppsSink(PacketSinkRequest(bind: Endpoint(host: "\(topology.serverAddress)", port: port),
                                                             deadline: 30, avoidCpu: nil)), in: topology.server),
                    stdoutPath: context.file("sink.out"), stderrPath: context.file("sink.err"))
                defer { sink.stop(grace: 2) }
                try ListenerProbe.waitForListener(namespace: topology.server, port: port, transport: .udp, process: sink)
                let request = FloodAgents.request(PacketRateDriver.shape(spec, sources: sources, cpu: 0), topology: topology)
                let result = try Subprocess.run(context.agent(request, in: topology.client), timeout: 15)
                try result.requireSuccess("agent flood")
                let flood = try AgentChannel.decodeReply(FloodReport.self, from: result.stdout, "agent flood")
                usleep(200_000)
                #expect(sink.stop(grace: 2) == 0)
                let received = try AgentChannel.decodeReply(SinkReport.self, from: sink.readStdout(), "agent pps-sink")

                #expect(flood.sender == PacketFlood.Sender.xdpCopy, "fell back: \(flood.sender ?? "no sender")")
                #expect(flood.sent > 16_000 && flood.sent <= 20_100, "paced at 20 kpps for 1 s: \(flood.sent)")
                #expect(received.received == flood.sent)
                #expect(try PacketRateWorkloadTests.nftDropCounter(point.namespace) == flood.sentDenied)
                #expect(flood.sentDenied * 4 >= flood.sent - 4 && flood.sentDenied * 4 <= flood.sent + 4)
            }
        }

        /// One AF_XDP socket per queue: a second flood on the same interface cannot bind (EBUSY, retried
        /// for 2 s) and must still run, through AF_PACKET, saying why.
        @Test("a flood that cannot bind AF_XDP falls back to AF_PACKET and says why")
        func fallsBack() throws {
            try withTestJournal("xdp-flood-fallback") { journal in
                let topology = try TopologyBuilder.up(.routed, journal: journal)
                let scratch = try TestEnvironment.temporaryDirectory("xdp-flood-fallback")
                defer { try? FileManager.default.removeItem(atPath: scratch) }
                let context = TrafficContext(topology: topology, scratchDirectory: scratch, agentExecutable: TestEnvironment.benchlabBinary)
                let policy = Policy(rules: [], defaultAction: .allow)
                let sources = try PacketRateSources.select(for: policy, deniedShare: 0, port: PacketRateDriver.port, workload: "pr")
                func request(seconds: Double) -> AgentRequest {
                    FloodAgents.request(PacketRateDriver.shape(PacketRateWorkload(name: "pr", durationSeconds: seconds, packetsPerSecond: 1_000),
                                                               sources: sources, cpu: nil), topology: topology)
                }
                let holder = try BackgroundProcess(context.agent(request(seconds: 6), in: topology.client),
                                                   stdoutPath: context.file("holder.out"), stderrPath: context.file("holder.err"))
                defer { holder.stop(grace: 2) }
                usleep(500_000)
                let result = try Subprocess.run(context.agent(request(seconds: 0.5), in: topology.client), timeout: 15)
                try result.requireSuccess("agent flood")
                let flood = try AgentChannel.decodeReply(FloodReport.self, from: result.stdout, "agent flood")
                let sender = try #require(flood.sender)
                #expect(sender.hasPrefix("\(PacketFlood.Sender.packetSocket) (\(PacketFlood.Sender.xdpCopy) unavailable: "), "\(sender)")
                #expect(sender.contains("busy"), "\(sender)")
                #expect(flood.sent > 100)
            }
        }
    }
}
