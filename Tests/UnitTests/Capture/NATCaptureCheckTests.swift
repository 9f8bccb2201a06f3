import Foundation
import LabCapture
import LabNetwork
import Testing

@Suite("NAT capture check")
struct NATCaptureCheckTests {
    typealias F = NATFixtureFrames
    static let fixture = (try? PcapFile.read(F.file).packets) ?? []

    static func packets(_ indices: [Int]) -> [CapturedPacket] { indices.map { fixture[$0] } }

    @Test("a clean capture passes: requests and replies counted, translated flows listed, other frames not judged")
    func clean() {
        let verdict = NATCaptureCheck.check(Self.packets([0, 1, 2, 3, 7, 8, 9]), against: F.expectation)
        #expect(verdict.passed, "\(verdict.offendingFlows)")
        #expect(verdict.packetsSeen == 7 && verdict.towardServer == 4 && verdict.replies == 2 && verdict.otherFrames == 1)
        #expect(verdict.translatedFlows.map(\.flow.description) == [
            "198.18.2.1:20001 → 198.18.1.1:7001 udp", "198.18.2.1:20002 → 198.18.1.1:80 tcp",
            "198.18.2.1:20004 → 198.18.1.1:20004 icmp", "198.18.2.1:20005 → 198.18.1.1:7001 udp",
        ])
        let summary = verdict.summary
        #expect(summary.passed && summary.egressAddressesUsed == ["198.18.2.1"])
        #expect(summary.lowestPort == 20_001 && summary.highestPort == 20_005, "ICMP identifiers are not ports")
    }

    @Test("a pod source is a leak, and says so instead of also blaming its port")
    func leak() {
        let verdict = NATCaptureCheck.check(Self.packets([0, 4, 4]), against: F.expectation)
        #expect(!verdict.passed)
        #expect(verdict.offendingFlows.map(\.description)
            == ["198.18.64.5:40000 → 198.18.1.1:7001 udp: source 198.18.64.5 is a pod address: left untranslated (2 packets)"])
        #expect(verdict.translatedFlows.count == 1)
    }

    @Test("an egress source with a port outside the range offends")
    func portOutOfRange() {
        let verdict = NATCaptureCheck.check(Self.packets([5]), against: F.expectation)
        #expect(verdict.offendingFlows.first?.reasons == ["port 40000 outside 20000-20999"])
    }

    @Test("a source that is neither a pod nor an egress IP offends")
    func wrongEgress() {
        let verdict = NATCaptureCheck.check(Self.packets([6]), against: F.expectation)
        #expect(verdict.offendingFlows.first?.reasons == ["source 198.18.9.9 is not an egress IP"])
    }

    @Test("replies must go to an egress IP and a port in range; a reply to a pod shows the untranslated request")
    func replies() {
        let expectation = F.expectation
        let replyToPod = CapturedPacket(timestamp: CaptureTimestamp(seconds: 0, microseconds: 0), length: 60, content: .ipv4(
            IPv4PacketSummary(source: F.server, destination: F.pod, protocolNumber: 17, totalLength: 30, sourcePort: 7001, destinationPort: 40_000)))
        var wrongPort = replyToPod
        wrongPort.content = .ipv4(IPv4PacketSummary(source: F.server, destination: F.egress, protocolNumber: 17, totalLength: 30,
                                                    sourcePort: 7001, destinationPort: 19_999))
        let verdict = NATCaptureCheck.check([Self.fixture[1], replyToPod, wrongPort], against: expectation)
        #expect(verdict.replies == 3 && verdict.towardServer == 0)
        #expect(verdict.offendingFlows.map { $0.reasons } == [
            ["reply port 19999 outside 20000-20999"],
            ["reply to 198.18.64.5, a pod address: the request left untranslated"],
        ])
    }

    @Test("the whole fixture: three offending flows in one capped error line and a report list")
    func messages() throws {
        let verdict = NATCaptureCheck.check(Self.fixture, against: F.expectation)
        #expect(verdict.offendingFlows.count == 3)
        #expect(verdict.errorLine(limit: 2) == "NAT capture on the server's interface: 3 offending flows: "
            + "198.18.2.1:40000 → 198.18.1.1:7001 udp: port 40000 outside 20000-20999 (1 packet); "
            + "198.18.9.9:20003 → 198.18.1.1:7001 udp: source 198.18.9.9 is not an egress IP (1 packet); and 1 more")
        #expect(verdict.reportLines(limit: 1).count == 2)
        #expect(verdict.reportLines(limit: 1).last == "… 2 more offending flows")
        let json = try JSONEncoder().encode(verdict.summary)
        let back = try JSONDecoder().decode(NATCaptureSummary.self, from: json)
        #expect(back == verdict.summary && back.offendingFlows == 3 && !back.passed)
    }
}
