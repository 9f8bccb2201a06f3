import Foundation
import LabBPF
import LabNetwork
import LabPolicy
import Testing

/// The xdp/tc backends' artifact is the map dump; a change to it must be a visible diff in review.
/// Set BENCHLAB_UPDATE_GOLDEN=1 to rewrite the golden file from the current output (the test then
/// fails once, so an update is never silent).
@Suite("BPF policy image dump")
struct BPFPolicyDumpGoldenTests {
    static func prefix(_ text: String) -> IPv4Prefix { IPv4Prefix(text)! }

    /// Overlapping sources of different actions, a folded run, destination prefixes, port ranges,
    /// every protocol, and a default deny.
    static let policy = Policy(rules: [
        Rule(action: .deny, source: prefix("198.18.16.0/24"), destination: prefix("198.18.1.0/24"), proto: .tcp, destinationPorts: PortRange(port: 22)),
        Rule(action: .allow, source: prefix("198.18.16.0/20"), destination: prefix("198.18.1.0/24"), proto: .tcp, destinationPorts: PortRange(20, 23)),
        Rule(action: .allow, source: prefix("198.18.32.0/20"), proto: .tcp, destinationPorts: PortRange(port: 80)),
        Rule(action: .allow, source: prefix("198.18.48.0/20"), proto: .tcp, destinationPorts: PortRange(port: 80)),
        Rule(action: .deny, proto: .udp, destinationPorts: PortRange(port: 53)),
        Rule(action: .allow, destination: prefix("198.18.1.1/32"), proto: .udp, destinationPorts: PortRange(5000, 5003)),
        Rule(action: .deny, source: prefix("198.18.16.7/32"), proto: .icmp),
        Rule(action: .allow, proto: .icmp),
        Rule(action: .deny, source: prefix("198.18.64.0/18")),
        Rule(action: .allow, proto: .tcp),
    ], defaultAction: .deny)

    static let goldenName = "policy-image"

    @Test("the dump of a fixed policy matches the golden file")
    func golden() throws {
        let dump = try BPFPolicyCompiler.compile(Self.policy).dump
        try Golden.check(dump, against: Golden.directory.appendingPathComponent("bpf/\(Self.goldenName).txt"))
    }

    @Test("equal policies dump identically whatever the order of prefixes within a run")
    func stable() throws {
        var shuffled = Self.policy
        shuffled.rules.swapAt(2, 3)
        #expect(try BPFPolicyCompiler.compile(shuffled).dump == BPFPolicyCompiler.compile(Self.policy).dump)
    }
}
