import Foundation
import LabNetwork
import LabPacket
import LabPolicy
import LabResults
import LabSystem
import Testing
@testable import LabTraffic

@Suite("Packet-rate workload: sources, schedule, frames, reports")
struct PacketRateTests {
    static let port: UInt16 = 7004

    func verdict(_ policy: Policy, _ source: IPv4Address) -> Action {
        ReferenceEvaluator.verdict(policy, Flow(proto: .udp, source: source, destination: AddressPlan.server, destinationPort: Self.port))
    }

    // MARK: sources

    @Test("sources come from the client pool, each with the verdict it is filed under")
    func sourcesHaveTheirVerdicts() throws {
        let policy = Policy(rules: [
            Rule(action: .deny, source: IPv4Prefix("198.19.0.0/24")),
            Rule(action: .deny, source: IPv4Prefix("198.18.200.7/32"), proto: .udp, destinationPorts: PortRange(port: Self.port)),
        ], defaultAction: .allow)
        let sources = try PacketRateSources.select(for: policy, deniedShare: 0.5, port: Self.port, workload: "w")
        #expect(sources.allowed.count == PacketRateSources.perVerdict)
        #expect(sources.denied.count == PacketRateSources.perVerdict)
        for source in sources.allowed + sources.denied {
            #expect(AddressPlan.clientPool.contains { $0.contains(source) }, "\(source) is outside the pool")
        }
        #expect(sources.allowed.allSatisfy { verdict(policy, $0) == .allow })
        #expect(sources.denied.allSatisfy { verdict(policy, $0) == .deny })
        #expect(Set(sources.allowed + sources.denied).count == 2 * PacketRateSources.perVerdict)
        #expect(sources.denied.contains(IPv4Address("198.18.200.7")!))
    }

    @Test("a share of 0 asks for no denied source, a share of 1 for no allowed one")
    func onlyWhatTheShareNeeds() throws {
        let policy = Policy(rules: [Rule(action: .deny, source: IPv4Prefix("198.19.0.0/16"))], defaultAction: .allow)
        let none = try PacketRateSources.select(for: policy, deniedShare: 0, port: Self.port, workload: "w")
        #expect(none.denied.isEmpty && !none.allowed.isEmpty)
        let all = try PacketRateSources.select(for: policy, deniedShare: 1, port: Self.port, workload: "w")
        #expect(all.allowed.isEmpty && !all.denied.isEmpty)
    }

    @Test("a deny rule for another port or protocol does not make a source denied")
    func portAndProtocolMatter() throws {
        let policy = Policy(rules: [
            Rule(action: .deny, source: IPv4Prefix("198.19.0.0/16"), proto: .tcp),
            Rule(action: .deny, source: IPv4Prefix("198.18.128.0/17"), proto: .udp, destinationPorts: PortRange(port: 53)),
        ], defaultAction: .allow)
        let error = #expect(throws: LabFailure.self) {
            _ = try PacketRateSources.select(for: policy, deniedShare: 0.5, port: Self.port, workload: "udp-packet-rate")
        }
        #expect(error?.description == "udp-packet-rate: denied_share is 0.5 but the policy allows UDP to 198.18.1.1:7004 from every "
                + "client-pool source tried; add a deny rule that covers client-pool sources, or set denied_share to 0")
    }

    @Test("a policy that denies everything cannot give allowed sources")
    func nothingAllowed() {
        let error = #expect(throws: LabFailure.self) {
            _ = try PacketRateSources.select(for: Policy(rules: [], defaultAction: .deny), deniedShare: 0.25, port: Self.port,
                                             workload: "pr")
        }
        #expect(error?.description == "pr: denied_share is 0.25 but the policy denies UDP to 198.18.1.1:7004 from every "
                + "client-pool source tried; allow some client-pool sources, or set denied_share to 1")
    }

    @Test("an allow-list policy: allowed sources are found among its rules' ranges")
    func allowList() throws {
        let policy = Policy(rules: [Rule(action: .allow, source: IPv4Prefix("198.19.77.0/24"), proto: .udp)], defaultAction: .deny)
        let sources = try PacketRateSources.select(for: policy, deniedShare: 0.1, port: Self.port, workload: "w")
        #expect(!sources.allowed.isEmpty)
        #expect(sources.allowed.allSatisfy { IPv4Prefix("198.19.77.0/24")!.contains($0) })
        #expect(sources.denied.allSatisfy { verdict(policy, $0) == .deny })
    }

    @Test("candidates never leave the pool, even for rules at its edges or outside it")
    func candidatesStayInThePool() {
        let policy = Policy(rules: [
            Rule(action: .deny, source: IPv4Prefix("198.18.0.0/20")),   // infrastructure
            Rule(action: .deny, source: IPv4Prefix("198.19.255.255/32")),  // last pool address
            Rule(action: .deny, source: IPv4Prefix("10.0.0.0/8")),
        ], defaultAction: .allow)
        let candidates = PacketRateSources.candidates(policy)
        #expect(candidates.allSatisfy { source in AddressPlan.clientPool.contains { $0.contains(source) } })
        #expect(candidates.contains(IPv4Address("198.19.255.255")!))
        #expect(candidates.contains(IPv4Address("198.18.16.0")!))  // just after the infrastructure rule
        #expect(Set(candidates).count == candidates.count)
    }

    // MARK: schedule

    @Test("the schedule spreads denied slots evenly and counts them exactly", arguments: [0.0, 0.01, 0.25, 0.5, 0.333, 0.99, 1.0])
    func schedule(share: Double) {
        let sources = PacketRateSources(allowed: [IPv4Address("198.19.0.1")!, IPv4Address("198.19.0.2")!],
                                        denied: [IPv4Address("198.19.1.1")!])
        let schedule = PacketSchedule(sources: sources, deniedShare: share)
        #expect(schedule.slots.count == PacketSchedule.slotCount)
        #expect(schedule.deniedSlots == Int((share * 100).rounded()))
        #expect(schedule.slots.allSatisfy { $0.denied == ($0.source == IPv4Address("198.19.1.1")!) })
        #expect(Set(schedule.slots.map(\.sourcePort)).count == schedule.slots.count)
        // No run of denied slots longer than the share makes necessary.
        var longest = 0, run = 0
        for slot in schedule.slots + schedule.slots {
            run = slot.denied ? run + 1 : 0
            longest = max(longest, run)
        }
        #expect(share == 1 || longest <= Int((share / (1 - share)).rounded(.up)))
        for sent: UInt64 in [0, 1, 37, 100, 12_345] {
            let walked = (0..<Int(sent)).filter { schedule.slots[$0 % 100].denied }.count
            #expect(schedule.deniedPackets(amongFirst: sent) == UInt64(walked))
        }
    }

    @Test("a tiny share still sends some denied packets; a share just under 1 still some allowed ones")
    func extremeShares() {
        let sources = PacketRateSources(allowed: [IPv4Address("198.19.0.1")!], denied: [IPv4Address("198.19.1.1")!])
        #expect(PacketSchedule(sources: sources, deniedShare: 0.001).deniedSlots == 1)
        #expect(PacketSchedule(sources: sources, deniedShare: 0.999).deniedSlots == 99)
    }

    // MARK: frames

    @Test("a minimum frame is 60 bytes with valid IPv4 and UDP checksums")
    func minimumFrame() throws {
        let frame = UDPFrame(sourceMAC: MACAddress("02:62:6c:00:00:01")!, destinationMAC: MACAddress("02:62:6c:00:00:02")!,
                             source: IPv4Address("198.19.0.1")!, destination: IPv4Address("198.18.1.1")!,
                             sourcePort: 20_000, destinationPort: 7004, payloadBytes: 18)
        let bytes = frame.bytes
        #expect(bytes.count == 60)
        #expect(Array(bytes[0..<14]) == [0x02, 0x62, 0x6c, 0, 0, 0x02, 0x02, 0x62, 0x6c, 0, 0, 0x01, 0x08, 0x00])
        let ip = Array(bytes[14..<34])
        #expect(Array(ip[0..<4]) == [0x45, 0x00, 0x00, 46])
        #expect(Array(ip[12..<20]) == [198, 19, 0, 1, 198, 18, 1, 1])
        #expect(InternetChecksum.compute(ip) == 0, "an IPv4 header with its checksum sums to 0xffff")
        let udp = Array(bytes[34..<60])
        #expect(Array(udp[0..<6]) == [0x4e, 0x20, 0x1b, 0x5c, 0x00, 26])
        let pseudo: [UInt8] = [198, 19, 0, 1, 198, 18, 1, 1, 0, 17, 0, 26]
        #expect(InternetChecksum.compute(pseudo + udp) == 0)
    }

    @Test("short payloads are padded to the minimum frame; the IP length stays true")
    func padding() {
        let frame = UDPFrame(sourceMAC: MACAddress("02:00:00:00:00:01")!, destinationMAC: MACAddress("02:00:00:00:00:02")!,
                             source: IPv4Address("198.19.0.1")!, destination: IPv4Address("198.18.1.1")!,
                             sourcePort: 1, destinationPort: 2, payloadBytes: 1)
        #expect(frame.bytes.count == 60)
        #expect(frame.bytes[16] == 0 && frame.bytes[17] == 29)
        let large = UDPFrame(sourceMAC: MACAddress("02:00:00:00:00:01")!, destinationMAC: MACAddress("02:00:00:00:00:02")!,
                             source: IPv4Address("198.19.0.1")!, destination: IPv4Address("198.18.1.1")!,
                             sourcePort: 1, destinationPort: 2, payloadBytes: 1472)
        #expect(large.bytes.count == 1514)
    }

    @Test("the RFC 1071 example sums as published")
    func checksumExample() {
        // RFC 1071 §3: 00 01 f2 03 f4 f5 f6 f7 sums (one's complement) to ddf2.
        #expect(InternetChecksum.compute([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]) == ~UInt16(0xddf2))
    }

    @Test(arguments: ["02:62:6c:00:00:01", "ff:FF:00:11:22:33"])
    func macs(text: String) {
        #expect(MACAddress(text)?.description == text.lowercased())
    }

    @Test(arguments: ["", "02:62:6c:00:00", "02:62:6c:00:00:1", "02:62:6c:00:00:zz", "02-62-6c-00-00-01"])
    func badMACs(text: String) {
        #expect(MACAddress(text) == nil)
    }

    // MARK: pacing

    @Test("unpaced: a full batch every time; paced: due packets in bursts of a millisecond's worth")
    func pacing() {
        #expect(Pacer(packetsPerSecond: 0).due(afterNanoseconds: 0, sent: 1_000_000) == 64)
        let paced = Pacer(packetsPerSecond: 10_000)  // 10 per millisecond
        #expect(paced.burst == 10)
        #expect(paced.due(afterNanoseconds: 0, sent: 0) == 1)
        #expect(paced.due(afterNanoseconds: 10_000, sent: 0) == 1)
        #expect(paced.due(afterNanoseconds: 500_000, sent: 1) == 0)  // 5 owed, under one burst
        #expect(paced.due(afterNanoseconds: 1_000_000, sent: 1) == 10)
        #expect(paced.due(afterNanoseconds: 1_000_000_000, sent: 10_001) == 0)
        #expect(Pacer(packetsPerSecond: 1_000_000).burst == 64)
        #expect(Pacer(packetsPerSecond: 500).burst == 1)
    }

    // MARK: reports

    /// Last lines printed by `benchlab agent flood` and `agent pps-sink` in a routed lab (share 0.25).
    static let floodLine = #"{"busy":0,"elapsed_s":3.000195682,"sent":883008,"sent_denied":220752}"#
    static let sinkLine = #"{"received":883008,"socket_drops":0}"#

    @Test("the agents' reports decode from captured output")
    func reportsDecode() throws {
        let flood = try AgentChannel.decodeReply(FloodReport.self, from: "\(Self.floodLine)\n", "flood")
        #expect(flood == FloodReport(sent: 883_008, sentDenied: 220_752, elapsedSeconds: 3.000195682, busy: 0, firstError: nil))
        let sink = try AgentChannel.decodeReply(SinkReport.self, from: "ready\n\(Self.sinkLine)\n", "sink")
        #expect(sink == SinkReport(received: 883_008, socketDrops: 0))
        #expect(flood.sentDenied * 4 == flood.sent)
    }

    @Test("a missing report is an error that shows what was printed")
    func missingReport() {
        let error = #expect(throws: LabFailure.self) {
            _ = try AgentChannel.decodeReply(SinkReport.self, from: "ready\n", "w: agent pps-sink")
        }
        #expect(error?.description == "w: agent pps-sink printed no report: ready\n")
    }

    func value(_ samples: [Sample], _ metric: String) -> Double? { samples.first { $0.metric == metric }?.value }

    @Test("samples: rates over the send time; intended drops are not loss")
    func samples() throws {
        let flood = FloodReport(sent: 1_000_000, sentDenied: 500_000, elapsedSeconds: 2, busy: 0, firstError: nil)
        let enforced = try PacketRateMeasurement(flood: flood, sink: SinkReport(received: 490_000, socketDrops: 3),
                                                 filterDropped: 500_100, enforces: true).samples(workload: "w")
        #expect(enforced.map(\.metric) == ["pps_sent", "pps", "pps_dropped", "pps_handled", "loss_ratio", "sink_drops"])
        #expect(value(enforced, "pps_sent") == 500_000)
        #expect(value(enforced, "pps") == 245_000)
        #expect(value(enforced, "pps_dropped") == 250_050)
        #expect(value(enforced, "pps_handled") == 495_050)
        #expect(value(enforced, "loss_ratio") == 0.02)
        #expect(value(enforced, "sink_drops") == 3)

        // `none` delivers the denied sources' packets too: all of them are expected.
        let baseline = try PacketRateMeasurement(flood: flood, sink: SinkReport(received: 1_000_000, socketDrops: nil),
                                                 filterDropped: 0, enforces: false).samples(workload: "w")
        #expect(value(baseline, "loss_ratio") == 0)
        #expect(value(baseline, "pps_dropped") == 0)
        #expect(value(baseline, "pps_handled") == 500_000)
        #expect(value(baseline, "sink_drops") == nil)
    }

    @Test("the filter's drops since a reading; a reset counter counts none; packets that reached the sink's socket")
    func dropCounterAndSocket() throws {
        var counter: UInt64 = 100
        let filter = FilterUnderTest(policy: .allowAll, enforces: true) { counter }
        counter = 250
        #expect(try filter.droppedSince(100) == 150)
        #expect(try filter.droppedSince(nil) == nil)
        counter = 7
        #expect(try filter.droppedSince(100) == 0)
        #expect(try FilterUnderTest.unfiltered.droppedSince(100) == nil)
        #expect(SinkReport(received: 80, socketDrops: 900).reachedSocket == 980)
        #expect(SinkReport(received: 80, socketDrops: nil).reachedSocket == 80)
    }

    @Test("open loop: what was offered and what the full queue refused, per second; closed loop has neither")
    func openLoopSamples() throws {
        let flood = FloodReport(sent: 600_000, sentDenied: 600_000, elapsedSeconds: 2, busy: 0, firstError: nil, refused: 1_400_000)
        #expect(flood.offered == 2_000_000)
        let samples = try PacketRateMeasurement(flood: flood, sink: SinkReport(received: 0, socketDrops: 0), filterDropped: 600_000,
                                                enforces: true).samples(workload: "w")
        #expect(value(samples, "pps_offered") == 1_000_000)
        #expect(value(samples, "pps_refused") == 700_000)
        #expect(value(samples, "pps_sent") == 300_000)
        let closed = FloodReport(sent: 600_000, sentDenied: 600_000, elapsedSeconds: 2, busy: 0, firstError: nil)
        let closedSamples = try PacketRateMeasurement(flood: closed, sink: SinkReport(received: 0, socketDrops: 0), filterDropped: 600_000,
                                                      enforces: true).samples(workload: "w")
        #expect(value(closedSamples, "pps_offered") == nil && value(closedSamples, "pps_refused") == nil)
    }

    @Test("all packets denied and enforced: no loss ratio; no filter counter: no drop rate")
    func degenerateSamples() throws {
        let flood = FloodReport(sent: 100, sentDenied: 100, elapsedSeconds: 1, busy: 0, firstError: nil)
        let samples = try PacketRateMeasurement(flood: flood, sink: SinkReport(received: 0, socketDrops: 0), filterDropped: nil,
                                                enforces: true).samples(workload: "w")
        #expect(samples.map(\.metric) == ["pps_sent", "pps", "sink_drops"])
    }

    @Test("a flood that sent nothing fails the workload with its first error")
    func nothingSent() {
        let flood = FloodReport(sent: 0, sentDenied: 0, elapsedSeconds: 1, busy: 3, firstError: "No buffer space available")
        let error = #expect(throws: LabFailure.self) {
            _ = try PacketRateMeasurement(flood: flood, sink: SinkReport(received: 0, socketDrops: 0), filterDropped: 0,
                                          enforces: false).samples(workload: "w")
        }
        #expect(error?.description == "w: the flood sent no packet (No buffer space available)")
    }
}
