import LabNetwork
import LabPolicy
import LabResults
@testable import LabRunner
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

@Suite("Equivalence comparison of state probes")
struct StateEquivalenceTests {
    static let probe = StateProbe(sender: .server, kind: .udp, source: AddressPlan.server, destination: AddressPlan.client,
                                  sourcePort: 7001, destinationPort: 47000)

    @Test("an unsolicited packet that arrives is a mismatch for a stateful policy, and expected for a stateless one")
    func unsolicitedArrival() {
        let stateful = Policy(rules: [], defaultAction: .allow, tracking: ConnectionTracking())
        let record = Equivalence.compareState(policy: stateful, probes: [Self.probe], observations: [.init(.allowed)])
        #expect(record.mismatchCount == 1)
        #expect(record.mismatches == [ProbeMismatch(flow: "UDP datagram from the server side, 198.18.1.1:7001 -> 198.18.0.1:47000, unsolicited",
                                                    expected: "denied", observed: "allowed")])
        #expect(Equivalence.compareState(policy: stateful, probes: [Self.probe], observations: [.init(.denied)]).passed)
        let stateless = Policy(rules: [], defaultAction: .allow)
        #expect(Equivalence.compareState(policy: stateless, probes: [Self.probe], observations: [.init(.allowed)]).passed)
    }
}

@Suite("Conntrack preflight")
struct ConntrackPreflightTests {
    static let gibibyte = 1 << 30

    @Test("a table that fits in half of MemAvailable passes; a bigger one is one line with its numbers")
    func memory() {
        #expect(ConntrackPreflight.memoryProblem(tableSize: 524_288, netfilter: true, bpf: true, availableBytes: 2 * Self.gibibyte) == nil)
        let problem = ConntrackPreflight.memoryProblem(tableSize: 16_777_216, netfilter: true, bpf: true, availableBytes: 2 * Self.gibibyte)
        #expect(problem == "conntrack table_size 16777216 needs about 10240 MiB (384 B per nf_conntrack entry + 256 B per BPF map entry), "
                + "more than half of this host's MemAvailable (2048 MiB); lower table_size to at most 1677721")
        // Only the trackers the scenario's backends use are counted.
        #expect(ConntrackPreflight.memoryProblem(tableSize: 4_000_000, netfilter: false, bpf: true, availableBytes: 2 * Self.gibibyte) == nil)
        #expect(ConntrackPreflight.memoryProblem(tableSize: 4_000_000, netfilter: true, bpf: false, availableBytes: 2 * Self.gibibyte) != nil)
        #expect(ConntrackPreflight.memoryProblem(tableSize: 16_777_216, netfilter: true, bpf: true, availableBytes: nil) == nil)
    }

    @Test func memAvailableIsReadFromMeminfo() {
        let text = "MemTotal:        8000000 kB\nMemFree:          100000 kB\nMemAvailable:    3000000 kB\n"
        #expect(ConntrackPreflight.parseMemAvailable(text) == 3_000_000 * 1024)
        #expect(ConntrackPreflight.parseMemAvailable("MemTotal: 1 kB\n") == nil)
    }
}
