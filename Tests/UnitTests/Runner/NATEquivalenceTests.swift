import LabCapture
import LabNetwork
import LabPolicy
import LabTraffic
import Testing
@testable import LabRunner

/// The NAT equivalence's pure half: which probes are expected through, and how probe verdicts and a
/// capture's offending flows become one equivalence record.
@Suite("NAT equivalence")
struct NATEquivalenceTests {
    let egress = IPv4Address("198.18.4.1")!
    let server = IPv4Address("198.18.1.1")!
    var snat: SNATPolicy {
        SNATPolicy(ports: PortRange(20000, 20999)!, egress: [EgressRule(sources: [IPv4Prefix("198.18.64.0/26")!], egressIPs: [egress])])
    }

    @Test("a selected pod's probes are expected through, an unselected source's dropped; the baseline expects all through")
    func plan() {
        let pod = IPv4Address("198.18.64.2")!, stranger = IPv4Address("198.18.64.200")!
        let translating = NATEquivalence.plan(snat, sources: [pod, stranger], translating: true, server: server)
        #expect(translating.flows.map(\.description) == [
            "tcp 198.18.64.2 -> 198.18.1.1:7010", "udp 198.18.64.2 -> 198.18.1.1:7011",
            "tcp 198.18.64.200 -> 198.18.1.1:7010", "udp 198.18.64.200 -> 198.18.1.1:7011",
        ])
        #expect(translating.expected == [.allowed, .allowed, .denied, .denied])
        #expect(NATEquivalence.plan(snat, sources: [pod, stranger], translating: false, server: server).expected == [.allowed, .allowed, .allowed, .allowed])
    }

    @Test("a wrong verdict and a leak seen by the capture are both mismatches; a clean run passes")
    func record() {
        let plan = NATEquivalence.plan(snat, sources: [IPv4Address("198.18.64.2")!], translating: true, server: server)
        let clean = NATEquivalence.record(plan, observations: [ProbeObservation(.allowed), ProbeObservation(.allowed)], capture: nil)
        #expect(clean.passed && clean.probes == 2)

        let wrong = NATEquivalence.record(plan, observations: [ProbeObservation(.allowed), ProbeObservation(.denied)], capture: nil)
        #expect(wrong.mismatchCount == 1)
        #expect(wrong.mismatches.first?.flow == "udp 198.18.64.2 -> 198.18.1.1:7011")

        let expectation = NATEquivalence.expectation(snat, podPrefixes: [IPv4Prefix("198.18.64.0/24")!], server: [server])
        let leak = CapturedPacket(timestamp: CaptureTimestamp(seconds: 0, microseconds: 0), length: 60, content: .ipv4(IPv4PacketSummary(
            source: IPv4Address("198.18.64.2")!, destination: server, protocolNumber: 17, totalLength: 46, sourcePort: 40000,
            destinationPort: 7011)))
        let verdict = NATCaptureCheck.check([leak], against: expectation)
        let leaked = NATEquivalence.record(plan, observations: [ProbeObservation(.allowed), ProbeObservation(.allowed)], capture: verdict)
        #expect(leaked.mismatchCount == 1)
        #expect(leaked.mismatches.first?.flow.hasPrefix("seen at the server: ") == true)
        #expect(leaked.mismatches.first?.observed.contains("untranslated") == true)
    }
}
