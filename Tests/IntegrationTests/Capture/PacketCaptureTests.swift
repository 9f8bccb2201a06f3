import Foundation
import LabCapture
import LabNetwork
import LabSystem
import LabTestSupport
import LabTopology
import LabTraffic
import Testing

extension KernelTests {
    @Suite("Packet capture in a lab namespace")
    struct PacketCaptureTests {
        @Test("a capture on the server's interface sees the client's UDP datagrams and the replies, saves the first N and reads them back")
        func capturesRoundTrips() throws {
            var topology: Topology?
            let scratch = try TestEnvironment.temporaryDirectory("capture")
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            try withTestJournal("capture") { journal in
                let built = try TopologyBuilder.up(.pair, journal: journal)
                topology = built
                let saved = "\(scratch)/first.pcap"
                let capture = try PacketCapture.open(
                    interface: built.serverInterface.name, namespace: built.server,
                    options: CaptureOptions(filter: "udp port 7001", durationSeconds: 30, save: (saved, 5)))
                capture.start()
                let context = TrafficContext(topology: built, scratchDirectory: scratch, agentExecutable: TestEnvironment.benchlabBinary)
                let report = try WorkloadRunner.withEchoServer(.udp, port: 7001, lifetime: 10, name: "capture", context) {
                    try WorkloadRunner.runAgent(.rrClient(RoundTripClientRequest(
                        transport: .udp, target: Endpoint(host: "\(AddressPlan.server)", port: 7001), count: 20, duration: 5)),
                        timeout: 10, context)
                }
                let result = try capture.finish()
                #expect(report.completed == 20)
                #expect(result.end == .stopped)
                let packets = result.packets.compactMap(\.ipv4)
                let requests = packets.filter { $0.destination == AddressPlan.server }
                let replies = packets.filter { $0.source == AddressPlan.server }
                // The filter ran in the kernel: nothing but UDP port 7001 (no ARP, no IPv6 neighbour discovery).
                #expect(packets.count == result.frames.count)
                #expect(requests.count >= 20 && replies.count >= 20, "requests \(requests.count), replies \(replies.count)")
                #expect(requests.allSatisfy { $0.source == built.clientAddress && $0.protocolName == "udp" && $0.destinationPort == 7001 })
                #expect(replies.allSatisfy { $0.destination == built.clientAddress && $0.sourcePort == 7001 })
                #expect(result.statistics.received >= UInt64(result.frames.count))
                #expect(result.statistics.droppedByKernel == 0)

                // The first five frames went to the file, and read back identical.
                #expect(result.saved == 5)
                let back = try PcapFile.read(saved)
                #expect(back.linkType == .ethernet)
                #expect(back.frames == Array(result.frames.prefix(5)))

                // The pair lab does not translate: with the client as the only "egress" address the check passes.
                let verdict = NATCaptureCheck.check(result.packets, against: NATExpectation(
                    egressAddresses: [built.clientAddress], portRange: 1...65_535, podPrefixes: [],
                    serverAddresses: [AddressPlan.server]))
                #expect(verdict.passed, "\(verdict.errorLine())")
                #expect(verdict.towardServer == requests.count && verdict.replies == replies.count)
            }
            #expect(namespacesLeft(matching: [topology!.id]).isEmpty)
        }

        @Test("a bad filter and a missing interface fail with pcap's message, the interface and the namespace")
        func errorsCarryContext() throws {
            try withTestJournal("capture-errors") { journal in
                let built = try TopologyBuilder.up(.pair, journal: journal)
                do {
                    _ = try PacketCapture.open(interface: built.serverInterface.name, namespace: built.server,
                                               options: CaptureOptions(filter: "udp port seventy"))
                    Issue.record("a bad filter compiled")
                } catch let error as CaptureError {
                    #expect(error.description.hasPrefix("compile capture filter 'udp port seventy' on \(built.serverInterface.name) in namespace \(built.server): "),
                            "\(error)")
                }
                do {
                    _ = try PacketCapture.open(interface: "bl-absent0", namespace: built.server)
                    Issue.record("an absent interface opened")
                } catch let error as CaptureError {
                    #expect(error.description.contains("bl-absent0 in namespace \(built.server)"), "\(error)")
                }
            }
        }

        @Test("a capture dropped without finish stops its thread, and one that reaches its packet limit says so")
        func earlyStopAndLimit() throws {
            try withTestJournal("capture-limit") { journal in
                let built = try TopologyBuilder.up(.pair, journal: journal)
                do {
                    let abandoned = try PacketCapture.open(interface: built.serverInterface.name, namespace: built.server)
                    abandoned.start()
                }
                let capture = try PacketCapture.open(interface: built.serverInterface.name, namespace: built.server,
                                                     options: CaptureOptions(filter: "icmp", packetLimit: 3, durationSeconds: 20))
                capture.start()
                _ = try Subprocess.run(Command("ip", ["netns", "exec", built.client, "ping", "-c", "6", "-i", "0.05", "-W", "1",
                                                      "\(AddressPlan.server)"]), timeout: 10)
                let started = MonotonicClock.seconds()
                let result = try capture.finish()
                #expect(result.end == .packetLimit)
                #expect(result.frames.count == 3)
                #expect(result.packets.first?.ipv4?.icmpType == 8)
                #expect(MonotonicClock.seconds() - started < 2, "finish after the limit must not wait for the deadline")
            }
        }
    }
}
