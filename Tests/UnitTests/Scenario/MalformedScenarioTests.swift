import Foundation
import Testing
@testable import LabScenario

/// A file from Fixtures/scenarios/bad and the exact diagnostics it must produce.
struct MalformedFile: Sendable, CustomTestStringConvertible {
    let file: String
    let expected: [String]
    var testDescription: String { file }

    init(_ file: String, _ expected: [String]) {
        self.file = file
        self.expected = expected.map { "\(file):\($0)" }
    }
}

extension ScenarioTests {
    @Suite("Malformed scenario files")
    struct MalformedFiles {
        static let files: [MalformedFile] = [
            MalformedFile("unknown-key.yaml", [
                "4:1: unknown key 'repat' (did you mean 'repeat'?)",
                "5:1: unknown key 'colour' (valid keys: name, description, topology, backends, repeat, warmup, parameters, policy, workloads, conntrack, snat, capture, host_conntrack)",
            ]),
            MalformedFile("wrong-type.yaml", [
                "3:11: 'backends' must be a list of backend names, got \"none\"",
                "4:9: 'repeat' must be an integer, got \"three\"",
                "5:9: 'warmup' must be an integer, got a list",
                "8:12: 'count' must be an integer, got \"200\" (the quotes make it text)",
            ]),
            MalformedFile("out-of-range.yaml", [
                "4:9: 'repeat' must be between 1 and 100, got 0",
                "5:9: 'warmup' must be between 0 and 10, got 11",
                "9:14: 'streams' must be between 1 and 64, got 65",
                "12:12: 'count' must be between 1 and 10000000, got 0",
            ]),
            MalformedFile("missing-required.yaml", [
                "1:1: missing required key 'description'",
                "1:1: missing required key 'backends'",
                "3:5: missing required key 'type' in workload",
                "4:5: missing required key 'protocol' in workload",
                "7:7: missing required key 'action' in policy rule",
                "9:5: missing required key 'count' in 'generate'",
            ]),
            MalformedFile("duplicate-key.yaml", [
                "5:1: duplicate key 'repeat' (already set at 4:1)",
                "9:5: duplicate key 'count' (already set at 8:5)",
                "10:15: 'duration' must be a duration such as 5s, 500ms or 2m, got \"forever\"",
            ]),
            MalformedFile("bad-backend.yaml", [
                "3:18: unknown backend 'xpd' (did you mean 'xdp'?)",
                "3:23: unknown backend 'iptables' (did you mean 'iptables-legacy', 'iptables-nft', 'iptables-ipset', 'iptables-raw' or 'iptables-notrack'?)",
                "3:33: unknown backend 'bpfilter' (expected one of none, iptables-legacy, iptables-nft, iptables-ipset, nftables, iptables-raw, iptables-notrack, nftables-prerouting, nftables-ingress, xdp, tc, xdp-ct-lru, tc-ct-lru, xdp-ct-swept, tc-ct-swept, xdp-ct-kfunc, tc-ct-kfunc, tc-snat, tc-snat-swept)",
                "3:43: backend 'none' is listed twice",
                "4:11: unknown topology 'star' (expected one of pair, routed, gateway)",
            ]),
            MalformedFile("syntax-error.yaml", [
                "4:10: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence that starts at 3:11)",
            ]),
            MalformedFile("tab-indent.yaml", [
                "5:1: YAML syntax error: tabs cannot indent YAML; use spaces",
            ]),
            MalformedFile("host-bits.yaml", [
                "7:12: 'src' 198.18.0.1/24 has host bits set (did you mean 198.18.0.0/24?)",
                "8:12: 'dst' must be an IPv4 address or prefix such as 198.18.0.0/15, got \"198.18.1.256\"",
                "10:12: 'dst' must be an IPv4 address or prefix such as 198.18.0.0/15, got \"198.18.1.1/33\"",
            ]),
            MalformedFile("bad-ports.yaml", [
                "8:14: 'dport' must be between 1 and 65535, got 70000",
                "11:14: 'dport' range 90-80 is empty (write the lower port first)",
                "14:14: 'dport' must be between 1 and 65535, got 0",
                "17:14: 'dport' needs proto tcp or udp (proto is icmp)",
                "19:14: 'dport' needs proto tcp or udp (proto is any when not given)",
                "22:14: 'dport' must be a port (1-65535) or a range such as 8000-8080, got \"http\"",
            ]),
            MalformedFile("unknown-protocol.yaml", [
                "5:12: unknown action 'alow' (did you mean 'allow'?)",
                "8:14: unknown protocol 'sctp' (expected one of tcp, udp, icmp, any)",
                "11:15: unknown protocol 'tpc' (did you mean 'tcp'?)",
                "12:11: unknown workload type 'latncy' (did you mean 'latency'?)",
                "15:15: unknown protocol 'TCP' (did you mean 'tcp'?)",
            ]),
            MalformedFile("undeclared-parameter.yaml", [
                "8:12: unknown parameter 'rule' (did you mean 'rules'?)",
                "12:12: unknown parameter 'size' (declared: rules)",
            ]),
            MalformedFile("unused-parameter.yaml", [
                "4:9: '${rounds}' is not allowed here: parameters can only be used in values under 'policy' and 'workloads'",
                "7:3: parameter 'payload' is declared but never used",
                "10:12: malformed placeholder in \"${rounds\": write ${name}, with name a declared parameter",
            ]),
            MalformedFile("bad-substituted-value.yaml", [
                "5:15: 'count' must be between 0 and 1000000, got 2000000 (parameter 'rules' value used at bad-substituted-value.yaml:9:12)",
                "5:24: 'count' must be an integer, got \"many\" (parameter 'rules' value used at bad-substituted-value.yaml:9:12)",
                "6:13: 'message_size' must be between 1 and 1M bytes, got 2048K (parameter 'size' value used at bad-substituted-value.yaml:13:19)",
            ]),
            MalformedFile("duplicate-workload-name.yaml", [
                "7:5: duplicate workload name 'tcp-throughput' (the workload at 5:5 has it too); set 'name' to tell them apart",
                "14:11: duplicate workload name 'handshakes' (the workload at 11:11 has it too); set 'name' to tell them apart",
            ]),
            MalformedFile("bad-quantities.yaml", [
                "7:15: 'duration' must be whole seconds for throughput (iperf3 counts in seconds), got 1500ms",
                "8:19: 'message_size' must be at most 65507 bytes for UDP (the largest payload of one IPv4 datagram), got 128K",
                "9:14: 'bitrate' must be 0 (unlimited) or a bit rate such as 10G, 500M or 100k, got \"fast\"",
                "13:15: 'duration' must be a duration such as 5s, 500ms or 2m, got \"5 sec\"",
                "14:19: 'message_size' must be a size in bytes such as 64, 128K or 1M, got \"12Q\"",
                "15:5: 'bitrate' applies only to UDP throughput",
                "18:15: 'duration' must be between 100ms and 600s, got 50ms",
                "19:14: 'payload' must be between 1 and 65507 bytes, got 1M",
                "21:15: 'duration' must be between 100ms and 600s, got 11m",
            ]),
            MalformedFile("several-errors.yaml", [
                "1:7: 'name' must be lowercase letters, digits and '-', starting with a letter or digit, got \"Several_Errors\"",
                "2:14: 'description' must not be empty",
                "3:11: unknown topology 'routd' (did you mean 'routed'?)",
                "4:11: 'backends' must list at least one backend",
                "5:9: 'repeat' must be between 1 and 100, got 101",
                "9:15: unknown action 'permit' (expected allow or deny)",
                "11:14: 'dport' needs proto tcp or udp (proto is icmp)",
                "14:27: pool prefix 10.0.0.0/8 is outside the lab range 198.18.0.0/15",
                "17:5: 'protocol' does not apply to connect workloads",
                "18:5: 'bitrate' does not apply to connect workloads",
            ]),
            MalformedFile("not-a-mapping.yaml", [
                "1:1: a scenario file must be a mapping of keys such as 'name' and 'workloads', got a list",
            ]),
            MalformedFile("empty.yaml", [
                "1:1: the scenario file is empty: it needs at least 'name', 'description', 'backends' and 'workloads'",
            ]),
            MalformedFile("snat-values.yaml", [
                "4:18: backend 'xdp' cannot translate addresses, so it cannot run an SNAT scenario (use none, iptables-legacy, iptables-nft, nftables, tc-snat, tc-snat-swept)",
                "4:23: backend 'iptables-raw' cannot translate addresses, so it cannot run an SNAT scenario (use none, iptables-legacy, iptables-nft, nftables, tc-snat, tc-snat-swept)",
                "4:47: backend 'tc-ct-lru' cannot translate addresses, so it cannot run an SNAT scenario (use none, iptables-legacy, iptables-nft, nftables, tc-snat, tc-snat-swept)",
                "6:3: 'policy.rules' cannot be combined with 'snat' (declared at 9:1): an SNAT scenario's policy is its egress rules",
                "8:3: 'policy.stateful' cannot be combined with 'snat' (declared at 9:1): an SNAT scenario's policy is its egress rules",
                "10:10: 'ports' range 30000-20000 is empty (write the lower port first)",
                "12:50: egress IP 198.18.9.1 is not a gateway's external address (this topology's gateways: gw1 198.18.4.1, gw2 198.18.5.1)",
            ]),
            MalformedFile("snat-topology.yaml", [
                "5:1: 'snat' needs topology gateway (its egress IPs are the gateways' external addresses)",
            ]),
            MalformedFile("gateway-pool.yaml", [
                "5:17: topology gateway: lab infrastructure prefix 198.18.0.0/20 overlaps cluster pool prefix 198.18.8.0/21",
                "6:18: backend 'tc-snat' only translates addresses: it needs a top-level 'snat' block",
            ]),
            MalformedFile("generator.yaml", [
                "7:14: no length in 'lengths' fits the pool: a generated prefix must be at least as long as its pool prefix (the shortest is /15)",
                "9:12: 'dport' needs proto tcp or udp (proto is any when not given)",
            ]),
            MalformedFile("overflowing-pool.yaml", [
                "6:12: 'count' 300 is more than the pool holds: 256 distinct prefixes of length 24",
            ]),
            MalformedFile("overlapping-pool.yaml", [
                "7:43: pool prefix 198.19.4.0/24 overlaps 198.19.0.0/16 (at 7:12); an address may be in the pool only once",
            ]),
        ]

        @Test(arguments: files)
        func reportsExactDiagnostics(_ file: MalformedFile) throws {
            let text = try ScenarioFixtures.badFile(file.file)
            #expect(diagnostics(of: text, path: file.file) == file.expected)
        }

        @Test func everyFixtureIsCovered() throws {
            let fixtures = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
            let names = try FileManager.default.contentsOfDirectory(atPath: fixtures.appendingPathComponent("scenarios/bad").path)
            #expect(Set(names) == Set(Self.files.map(\.file)))
        }

        @Test func theErrorMapsToBadInputAndPrintsOneLinePerDiagnostic() throws {
            let text = try ScenarioFixtures.badFile("out-of-range.yaml")
            let error = try #require(throws: ScenarioError.self) { try ScenarioParser.parse(text: text, path: "x.yaml") }
            #expect(error.exitStatus == .badInput)
            #expect(error.diagnostics.count == 4)
            #expect(error.diagnostics.first == Diagnostic(path: "x.yaml", line: 4, column: 9, message: "'repeat' must be between 1 and 100, got 0"))
            #expect(error.description == error.diagnostics.map(\.description).joined(separator: "\n"))
        }
    }
}
