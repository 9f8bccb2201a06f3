import LabPolicy
import Testing
@testable import LabScenario

extension ScenarioTests {
    /// `policy.stateful` and the top-level `conntrack:` (issue 8).
    @Suite("Stateful policy and conntrack settings")
    struct StatefulScenario {
        static let workloads = "workloads:\n  - type: connect\n"

        func parse(_ body: String, header: String = "name: t\ndescription: A test.\nbackends: [none]\n") throws -> Scenario {
            try ScenarioParser.parse(text: scenarioText(body + Self.workloads, header: header), path: "t.yaml")
        }

        @Test func aPolicyIsStatelessUnlessItSaysSo() throws {
            #expect(try parse("policy:\n  default: deny\n").variants[0].policy.tracking == nil)
            #expect(try parse("policy:\n  stateful: false\n").variants[0].policy.tracking == nil)
        }

        @Test func statefulAloneTakesTheDefaults() throws {
            let policy = try parse("policy:\n  stateful: true\n  default: deny\n").variants[0].policy
            #expect(policy.tracking == ConnectionTracking())
            #expect(policy.tracking?.timeouts == .kernelDefaults)
            #expect(policy.defaultAction == .deny)
        }

        @Test func everyConntrackKeyIsRead() throws {
            let policy = try parse("""
                policy:
                  stateful: true
                  rules:
                    - {action: allow, proto: tcp, dport: 5201}
                conntrack:
                  timeouts: {tcp_syn: 5s, tcp_established: 10m, tcp_close: 7s, udp: 10s, icmp: 3}
                  table_size: 65536
                  sweep: {mode: fixed, interval: 2s, floor: 100ms, ceiling: 10s}

                """).variants[0].policy
            #expect(policy.rules.count == 1)
            #expect(policy.tracking == ConnectionTracking(
                timeouts: ConntrackTimeouts(tcpSyn: 5, tcpEstablished: 600, tcpClose: 7, udp: 10, icmp: 3),
                tableSize: 65536,
                sweep: SweepSettings(mode: .fixed, intervalMilliseconds: 2000, floorMilliseconds: 100, ceilingMilliseconds: 10_000)))
        }

        @Test func omittedConntrackKeysKeepTheirDefaults() throws {
            let tracking = try parse("policy: {stateful: true}\nconntrack:\n  timeouts: {udp: 9s}\n  sweep: {interval: 3s}\n")
                .variants[0].policy.tracking
            var expected = ConnectionTracking()
            expected.timeouts.udp = 9
            expected.sweep.intervalMilliseconds = 3000
            #expect(tracking == expected)
        }

        @Test func placeholdersWorkInConntrackValuesAndInStateful() throws {
            let scenario = try parse("""
                parameters:
                  table: [1024, 4096]
                  tracked: [true]
                  udp: [5s]
                policy: {stateful: "${tracked}"}
                conntrack:
                  table_size: ${table}
                  timeouts: {udp: "${udp}"}

                """)
            #expect(scenario.variants.map { $0.policy.tracking?.tableSize } == [1024, 4096])
            #expect(scenario.variants.allSatisfy { $0.policy.tracking?.timeouts.udp == 5 })
        }

        @Test("each bad value is one line at its place", arguments: [
            ("policy: {stateful: yes}\n", "t.yaml:4:20: 'stateful' must be true or false, got \"yes\""),
            ("policy: {stateful: \"true\"}\n", "t.yaml:4:20: 'stateful' must be true or false, got \"true\" (the quotes make it text)"),
            ("policy: {stateful: true}\nconntrack: {timeouts: {udp: 0s}}\n",
             "t.yaml:5:29: 'udp' must be between 1s and 2592000s, got 0s"),
            ("policy: {stateful: true}\nconntrack: {timeouts: {tcp_established: 31d}}\n",
             "t.yaml:5:41: 'tcp_established' must be a duration such as 5s, 500ms or 2m, got \"31d\""),
            ("policy: {stateful: true}\nconntrack: {timeouts: {tcp_established: 43201m}}\n",
             "t.yaml:5:41: 'tcp_established' must be between 1s and 2592000s, got 43201m"),
            ("policy: {stateful: true}\nconntrack: {timeouts: {icmp: 1500ms}}\n",
             "t.yaml:5:30: 'icmp' must be whole seconds (conntrack keeps timeouts in seconds), got 1500ms"),
            ("policy: {stateful: true}\nconntrack: {table_size: 10}\n", "t.yaml:5:25: 'table_size' must be between 64 and 16777216, got 10"),
            ("policy: {stateful: true}\nconntrack: {table_size: 99999999}\n",
             "t.yaml:5:25: 'table_size' must be between 64 and 16777216, got 99999999"),
            ("policy: {stateful: true}\nconntrack: {sweep: {floor: 5s, ceiling: 1s, interval: 2s}}\n",
             "t.yaml:5:21: 'sweep' floor (5s) must not exceed its ceiling (1s)"),
            ("policy: {stateful: true}\nconntrack: {sweep: {interval: 20s}}\n",
             "t.yaml:5:21: 'sweep' interval (20s) must lie between its floor (100ms) and ceiling (10s)"),
            ("policy: {stateful: true}\nconntrack: {sweep: {mode: lazy}}\n",
             "t.yaml:5:27: unknown sweep mode 'lazy' (expected fixed or adaptive)"),
            ("policy: {stateful: true}\nconntrack: {tables: 5}\n", "t.yaml:5:13: unknown key 'tables' (valid keys: timeouts, table_size, sweep)"),
            ("policy: {stateful: true}\nconntrack: {timeouts: {tcp: 5s}}\n",
             "t.yaml:5:24: unknown key 'tcp' (did you mean 'tcp_syn', 'tcp_established' or 'tcp_close'?)"),
            ("conntrack: {table_size: 1024}\n", "t.yaml:4:1: 'conntrack' needs a stateful policy (add 'stateful: true' under 'policy') or 'snat:'"),
            ("policy: {stateful: false}\nconntrack: {table_size: 1024}\n",
             "t.yaml:5:1: 'conntrack' needs a stateful policy (add 'stateful: true' under 'policy') or 'snat:'"),
        ])
        func badInput(body: String, expected: String) {
            let lines = diagnostics(of: scenarioText(body + Self.workloads), path: "t.yaml")
            #expect(lines == [expected])
        }

        @Test func aStatefulPolicyOnThePairTopologyIsRefused() {
            let lines = diagnostics(of: scenarioText("topology: pair\npolicy: {stateful: true}\n" + Self.workloads), path: "t.yaml")
            #expect(lines == ["t.yaml:5:20: a stateful policy needs a policy point that forwards (topology 'pair' filters at the server's INPUT, "
                              + "where replies never pass); use topology routed"])
        }

        @Test func theSchemaKnowsTheNewKeys() throws {
            let json = ScenarioSchema.json()
            for key in ["\"stateful\"", "\"conntrack\"", "\"table_size\"", "\"tcp_established\"", "\"ceiling\""] {
                #expect(json.contains(key), "schema lacks \(key)")
            }
        }
    }
}
