import LabNetwork
import LabPolicy
import LabResults
import LabRunner
import LabTraffic
import Testing

@Suite("Equivalence comparison")
struct EquivalenceTests {
    @Test("observed verdicts are compared with the reference; an error is a mismatch, never a pass")
    func compare() {
        let policy = Policy(rules: [Rule(action: .deny, source: IPv4Prefix("198.19.0.0/24"))], defaultAction: .allow)
        let denied = Flow(proto: .udp, source: IPv4Address("198.19.0.1")!, destination: AddressPlan.server, destinationPort: 53)
        let allowed = Flow(proto: .tcp, source: IPv4Address("198.19.1.1")!, destination: AddressPlan.server, destinationPort: 80)
        let record = Equivalence.compare(policy: policy, flows: [denied, allowed, allowed],
                                         observations: [.init(.denied), .init(.error, "No route to host"), .init(.allowed)])
        #expect(record.probes == 3)
        #expect(record.mismatchCount == 1)
        #expect(record.mismatches == [ProbeMismatch(flow: "tcp 198.19.1.1 -> 198.18.1.1:80", expected: "allowed", observed: "error (No route to host)")])
        #expect(!record.passed)
    }
}
