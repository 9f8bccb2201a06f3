import LabNetwork
import LabPolicy
import LabTraffic
import Testing
@testable import LabScenario

extension ScenarioTests {
    @Suite("Parameter sweeps")
    struct ParameterSweeps {
        static let sweep = scenarioText("""
            parameters:
              rules: [0, 10, 100]
              size: [1, 64]
            policy:
              default: deny
              rules:
                - action: allow
                  proto: tcp
                  dst: 198.18.1.1
              generate:
                count: ${rules}
            workloads:
              - type: throughput
                protocol: tcp
                message_size: "${size}K"
            """)

        @Test func expandsTheCartesianProductFirstParameterSlowest() throws {
            let scenario = try ScenarioParser.parse(text: Self.sweep, path: "sweep.yaml")
            #expect(scenario.parameters == [Parameter(name: "rules", values: ["0", "10", "100"]),
                                            Parameter(name: "size", values: ["1", "64"])])
            let points = scenario.variants.map { $0.point.map { "\($0.name)=\($0.value)" }.joined(separator: ",") }
            #expect(points == ["rules=0,size=1", "rules=0,size=64", "rules=10,size=1",
                               "rules=10,size=64", "rules=100,size=1", "rules=100,size=64"])
        }

        @Test func substitutesWholeAndInlinePlaceholders() throws {
            let scenario = try ScenarioParser.parse(text: Self.sweep, path: "sweep.yaml")
            #expect(scenario.variants.map { $0.policy.rules.count } == [1, 1, 11, 11, 101, 101])
            let messageBytes = scenario.variants.map { variant -> Int? in
                guard let w = variant.workloads.first?.as(ThroughputWorkload.self) else { return nil }
                return w.messageBytes
            }
            #expect(messageBytes == [1024, 65_536, 1024, 65_536, 1024, 65_536])
        }

        @Test func generatedRulesComeBeforeTheExplicitOnes() throws {
            let variant = try #require(try ScenarioParser.parse(text: Self.sweep, path: "sweep.yaml").variants.last)
            let generated = try RuleGenerator(count: 100, seed: 1, pool: AddressPlan.clientPool).rules()
            let explicit = Rule(action: .allow, destination: IPv4Prefix("198.18.1.1"), proto: .tcp)
            #expect(variant.policy == Policy(rules: generated + [explicit], defaultAction: .deny))
        }

        @Test func casesCarryTheParameterPointInTheirIds() throws {
            let scenario = try ScenarioParser.parse(text: Self.sweep.replacingOccurrences(of: "[none]", with: "[none, xdp]"),
                                                    path: "sweep.yaml")
            #expect(scenario.cases().prefix(3).map(\.id) == ["none[rules=0,size=1]", "xdp[rules=0,size=1]", "none[rules=0,size=64]"])
        }

        @Test func overridesReplaceDeclaredValues() throws {
            let scenario = try ScenarioParser.parse(text: Self.sweep, path: "sweep.yaml", overrides: ["rules": ["1000"], "size": ["2", "4"]])
            #expect(scenario.parameters == [Parameter(name: "rules", values: ["1000"]), Parameter(name: "size", values: ["2", "4"])])
            #expect(scenario.variants.map { $0.policy.rules.count } == [1001, 1001])
        }

        @Test func overrideProblemsAreReportedAtTheDeclaration() {
            #expect(diagnostics(of: Self.sweep, path: "sweep.yaml", overrides: ["rules": ["2000000"], "sizes": ["1"], "size": []]) == [
                "sweep.yaml:4:1: unknown parameter 'sizes' in --set (did you mean 'size'?)",
                "sweep.yaml:5:3: 'count' must be between 0 and 1000000, got 2000000 (parameter 'rules' set by --set, used at sweep.yaml:14:12)",
                "sweep.yaml:6:3: --set size gives no values",
            ])
            #expect(diagnostics(of: Self.sweep, path: "sweep.yaml", overrides: ["size": ["8", "8"]]) == [
                "sweep.yaml:6:3: --set size gives the value 8 twice",
            ])
        }

        @Test func anOverrideForAScenarioWithoutParametersPointsAtTheTop() {
            #expect(diagnostics(of: scenarioText("workloads: [{type: connect}]\n"), overrides: ["rules": ["1"]]) == [
                "test.yaml:1:1: unknown parameter 'rules' in --set (this scenario declares no parameters)",
            ])
        }

        /// The bad value breaks two variants (size 1 and size 64) but is one mistake: one diagnostic.
        @Test func aBadValueIsReportedOnceWhateverTheOtherParameters() {
            let text = Self.sweep.replacingOccurrences(of: "[0, 10, 100]", with: "[0, lots]")
            #expect(diagnostics(of: text, path: "sweep.yaml") == [
                "sweep.yaml:5:14: 'count' must be an integer, got \"lots\" (parameter 'rules' value used at sweep.yaml:14:12)",
            ])
        }

        @Test func aPlaceholderThatDecidesTheProtocolBlamesTheProtocolValue() {
            #expect(diagnostics(of: scenarioText("""
                parameters:
                  proto: [tcp, icmp]
                policy:
                  rules:
                    - action: deny
                      proto: ${proto}
                      dport: 80
                workloads: [{type: connect}]
                """)) == [
                "test.yaml:5:16: 'dport' needs proto tcp or udp (proto is icmp) (parameter 'proto' value used at test.yaml:9:14)",
            ])
        }

        /// A value built from two parameters is blamed on the first one's value and names both.
        @Test func aScalarUsingTwoParametersNamesBoth() {
            #expect(diagnostics(of: scenarioText("""
                parameters:
                  lo: [90]
                  hi: [80, 100]
                policy:
                  rules: [{action: deny, proto: tcp, dport: "${lo}-${hi}"}]
                workloads: [{type: connect}]
                """)) == [
                "test.yaml:5:8: 'dport' range 90-80 is empty (write the lower port first) (parameters 'lo' and 'hi' values used at test.yaml:8:45)",
            ])
        }

        @Test func workloadNamesAndTypesMustNotVary() {
            #expect(diagnostics(of: scenarioText("""
                parameters:
                  kind: [latency]
                  proto: [tcp, udp]
                workloads:
                  - type: ${kind}
                    protocol: tcp
                  - type: latency
                    name: rr-${proto}
                    protocol: tcp
                  - type: latency
                    protocol: ${proto}
                """)) == [
                "test.yaml:8:11: 'type' cannot use a parameter here: every variant runs the same workloads",
                "test.yaml:11:11: 'name' cannot use a parameter here: results are matched by workload name across variants",
                "test.yaml:14:15: 'protocol' cannot use a parameter here: the default name would change between variants; give the workload a 'name'",
            ])
        }

        @Test func tooManyVariantsIsAnError() {
            let values = (1...40).map(String.init).joined(separator: ", ")
            #expect(diagnostics(of: scenarioText("""
                parameters:
                  a: [\(values)]
                  b: [\(values)]
                workloads: [{type: connect, count: "${a}${b}"}]
                """)) == [
                "test.yaml:4:1: the sweep has 1600 variants, more than the 1000 a run can take; remove values or split the scenario",
            ])
        }

        /// 40^6 points would never fit in memory: the limit is checked before the product is built.
        @Test func anAbsurdSweepIsRejectedWithoutExpandingIt() {
            let values = (1...40).map(String.init).joined(separator: ", ")
            let names = ["a", "b", "c", "d", "e", "f"]
            let declarations = names.map { "  \($0): [\(values)]" }.joined(separator: "\n")
            let uses = names.map { "${\($0)}" }.joined()
            #expect(diagnostics(of: scenarioText("parameters:\n\(declarations)\nworkloads: [{type: connect, name: c, count: \"\(uses)\"}]\n")) == [
                "test.yaml:4:1: the sweep has 4096000000 variants, more than the 1000 a run can take; remove values or split the scenario",
            ])
        }

        @Test(arguments: [
            ("x${a}y", [PlaceholderTemplate.Segment.text("x"), .parameter("a"), .text("y")]),
            ("${a}${b}", [.parameter("a"), .parameter("b")]),
            ("plain", [.text("plain")]),
            ("$a {b}", [.text("$a {b}")]),
        ])
        func placeholderTemplates(text: String, segments: [PlaceholderTemplate.Segment]) {
            #expect(PlaceholderTemplate(parsing: text)?.segments == segments)
        }

        @Test(arguments: ["${", "${}", "a${b", "${a}${"])
        func malformedPlaceholders(text: String) {
            #expect(PlaceholderTemplate(parsing: text) == nil)
        }
    }
}
