import Testing
@testable import LabScenario

extension ScenarioTests {
    /// The top-level `host_conntrack` switch (issue 11: the drop-point ladder needs conntrack running
    /// for every backend, as on a host that tracks connections anyway).
    @Suite("host_conntrack")
    struct HostConntrackScenario {
        static let workloads = "workloads:\n  - type: connect\n"

        func parse(_ body: String) throws -> Scenario {
            try ScenarioParser.parse(text: scenarioText(body + Self.workloads), path: "t.yaml")
        }

        @Test func offUnlessTheScenarioSaysSo() throws {
            #expect(try parse("").hostConntrack == false)
            #expect(try parse("host_conntrack: false\n").hostConntrack == false)
            #expect(try parse("host_conntrack: true\n").hostConntrack == true)
        }

        @Test func aStatelessPolicyMayHaveIt() throws {
            let scenario = try parse("host_conntrack: true\ntopology: pair\npolicy: {default: allow}\n")
            #expect(scenario.hostConntrack && scenario.variants[0].policy.tracking == nil)
        }

        @Test("a bad value is one line at its place", arguments: [
            ("host_conntrack: on\n", "t.yaml:4:17: 'host_conntrack' must be true or false, got \"on\""),
            ("host_conntrack: [true]\n", "t.yaml:4:17: 'host_conntrack' must be true or false, got a list"),
        ])
        func badInput(body: String, expected: String) {
            #expect(diagnostics(of: scenarioText(body + Self.workloads), path: "t.yaml") == [expected])
        }

        @Test func theSchemaKnowsIt() {
            #expect(ScenarioSchema.json().contains("\"host_conntrack\""))
        }
    }
}
