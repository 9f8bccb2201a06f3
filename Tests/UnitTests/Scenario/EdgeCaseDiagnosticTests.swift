import Testing
@testable import LabScenario

extension ScenarioTests {
    /// Diagnostics for YAML-level oddities and the smaller rules, on inline files.
    @Suite("Edge-case diagnostics")
    struct EdgeCaseDiagnostics {
        @Test func aControlCharacterIsLocated() {
            #expect(diagnostics(of: "name: t\ndescription: bell\u{7}\n") == [
                "test.yaml:2:18: YAML cannot read this character: control characters are not allowed (U+0007)",
            ])
        }

        @Test func aSecondDocumentIsRejected() {
            #expect(diagnostics(of: scenarioText("workloads: [{type: connect}]\n---\nname: other\n")) == [
                "test.yaml:5:1: a scenario file holds one YAML document, but a second one starts here",
            ])
        }

        @Test func anUndefinedAliasIsAYAMLError() {
            #expect(diagnostics(of: scenarioText("workloads: *all\n")) == [
                "test.yaml:4:12: YAML error: found undefined alias",
            ])
        }

        /// Yams refuses repeated keys outright; reading goes on past every one of them.
        @Test func repeatedKeysInEveryStyleAreReportedAndReadingGoesOn() {
            #expect(diagnostics(of: scenarioText("""
                "repeat": 2
                repeat: 3
                'repeat': 4
                workloads:
                  - {type: connect, count: 1, count: 2, duration: 1h}
                """)) == [
                "test.yaml:5:1: duplicate key 'repeat' (already set at 4:1)",
                "test.yaml:6:1: duplicate key 'repeat' (already set at 4:1)",
                "test.yaml:8:31: duplicate key 'count' (already set at 8:21)",
                "test.yaml:8:51: 'duration' must be a duration such as 5s, 500ms or 2m, got \"1h\"",
            ])
        }

        @Test func aNumberTooLargeForTheMachineIsOutOfRange() {
            #expect(diagnostics(of: scenarioText("repeat: 99999999999999999999\nworkloads: [{type: connect}]\n")) == [
                "test.yaml:4:9: 'repeat' must be between 1 and 100, got 99999999999999999999",
            ])
        }

        @Test func shapesOfTheWholeAndItsParts() {
            #expect(diagnostics(of: "just text\n") == [
                "test.yaml:1:1: a scenario file must be a mapping of keys such as 'name' and 'workloads', got \"just text\"",
            ])
            #expect(diagnostics(of: scenarioText("policy:\nworkloads: []\n? [a, b]\n: 1\n")) == [
                "test.yaml:4:8: 'policy' must be a mapping, got an empty value",
                "test.yaml:5:12: 'workloads' must list at least one workload",
                "test.yaml:6:3: a key must be a plain name, got a list",
            ])
        }

        @Test func descriptionIsOneLine() {
            #expect(diagnostics(of: "name: t\ndescription: |\n  Two\n  lines.\nbackends: [none]\nworkloads: [{type: connect}]\n") == [
                "test.yaml:2:14: 'description' must be one line (it heads reports and 'benchlab list')",
            ])
        }

        @Test func workloadNamesUseASafeAlphabet() {
            #expect(diagnostics(of: scenarioText("workloads: [{type: connect, name: my run}, {type: connect, name: -x}]\n")) == [
                "test.yaml:4:35: 'name' must be letters, digits, '-', '_' and '.', starting with a letter or digit, got \"my run\"",
                "test.yaml:4:66: 'name' must be letters, digits, '-', '_' and '.', starting with a letter or digit, got \"-x\"",
            ])
        }

        @Test func parameterDeclarationsAreChecked() {
            #expect(diagnostics(of: scenarioText("""
                parameters:
                  Rules: [1]
                  empty: []
                  single: 5
                  twice: [1, 2, 1]
                  odd: [1, [2], ~]
                  nested: ["${twice}"]
                workloads:
                  - {type: connect, count: "${Rules}${empty}${single}${twice}${odd}${nested}"}
                """)) == [
                "test.yaml:5:3: parameter name 'Rules' must start with a lowercase letter and use only lowercase letters, digits and '_'",
                "test.yaml:6:10: parameter 'empty' must list at least one value",
                "test.yaml:7:11: parameter 'single' must be a list of values such as [1, 100, 1000], got 5",
                "test.yaml:8:17: parameter 'twice' lists 1 twice (first at 8:11)",
                "test.yaml:9:12: each value of parameter 'odd' must be a number or text, got a list",
                "test.yaml:9:17: each value of parameter 'odd' must be a number or text, got an empty value",
                "test.yaml:10:12: '${twice}' is not allowed here: parameters can only be used in values under 'policy' and 'workloads'",
            ])
        }

        @Test func positionsFollowCRLFLineEndings() {
            let text = scenarioText("repeat: 0\nworkloads: [{type: connect}]\n").replacingOccurrences(of: "\n", with: "\r\n")
            #expect(diagnostics(of: text) == ["test.yaml:4:9: 'repeat' must be between 1 and 100, got 0"])
        }

        @Test func aSuppliedPortMustNotBeSigned() {
            #expect(diagnostics(of: scenarioText("""
                policy:
                  rules: [{action: deny, proto: tcp, dport: +80}, {action: deny, proto: udp, dport: 1-70000}]
                workloads: [{type: connect}]
                """)) == [
                "test.yaml:5:45: 'dport' must be a port (1-65535) or a range such as 8000-8080, got +80",
                "test.yaml:5:85: 'dport' ports must be between 1 and 65535, got 1-70000",
            ])
        }
    }
}
