import Foundation
import Testing
@testable import LabScenario

extension ScenarioTests {
    /// The findings of issue 13, each as the file that found it: they must fail fast, at the place
    /// the problem starts, in the lab's words.
    @Suite("Hostile input")
    struct HostileInput {
        @Test func anAliasBombIsRefusedAtTheAnchor() {
            var text = scenarioText("a: &a [x, x, x, x, x, x, x, x, x, x]\n")
            for level in 1...9 { text += "l\(level): &l\(level) [" + Array(repeating: level == 1 ? "*a" : "*l\(level - 1)", count: 10).joined(separator: ",") + "]\n" }
            text += "workloads: *l9\n"
            let start = ContinuousClock.now
            let lines = diagnostics(of: text)
            #expect(ContinuousClock.now - start < .seconds(10))
            #expect(lines.count == 1)
            #expect(lines.first?.hasPrefix("test.yaml:") == true)
            #expect(lines.first?.contains("aliases of the value anchored here expand the file past 100000 values") == true)
        }

        @Test func aliasesWithinTheBudgetStillWork() throws {
            let text = scenarioText("""
                workloads:
                  - &tcp {type: throughput, protocol: tcp, duration: 1s, name: a}
                  - {type: latency, protocol: udp, name: b}
                """)
            let scenario = try ScenarioParser.parse(text: text, path: "test.yaml")
            #expect(scenario.variants[0].workloads.count == 2)
        }

        @Test func everyRepeatedKeyIsReportedWithoutRecomposingPerRepetition() {
            var text = scenarioText("workloads: [{type: connect}]\npolicy:\n")
            for _ in 0..<500 { text += "  default: deny\n" }
            let lines = diagnostics(of: text)
            #expect(lines.filter { $0.contains("duplicate key 'default' (already set at 6:3)") }.count == 499)
        }

        /// A different repeated key in each of many mappings costs a few compositions, not one each.
        @Test func aRepeatedKeyInEachOfManyMappingsIsReportedEverywhere() {
            var text = scenarioText("workloads: [{type: connect}]\npolicy:\n  rules:\n")
            for index in 0..<300 { text += "    - {action: deny, k\(index): 1, k\(index): 2}\n" }
            let lines = diagnostics(of: text)
            #expect(lines.filter { $0.contains("duplicate key 'k") }.count == 300)
            #expect(!lines.contains { $0.contains("too many repeated keys") })
        }

        /// A masked look-alike in a value is put back: values read as written.
        @Test func aKeyLookAlikeInsideAValueIsLeftAsWritten() throws {
            let log = DiagnosticLog(path: "test.yaml")
            let text = "a: 1\na: 2\nb: \"x a: y\"\nc: |\n  a: z\n"
            let document = try #require(YAMLDocument.compose(text, log: log))
            guard case .mapping(let mapping)? = document.root else { Issue.record("not a mapping"); return }
            #expect(mapping.map { document.keyName($0.key) } == ["a", "a", "b", "c"])
            #expect(mapping.map(\.value.string) == ["1", "2", "x a: y", "a: z\n"])
        }

        @Test func anUnclosedQuoteIsReportedWhereItOpens() {
            #expect(diagnostics(of: "name: \"abc\ndescription: x\nbackends: [none]\n") == [
                "test.yaml:1:7: YAML syntax error: this quoted value is never closed (the file ends before its closing quote)",
            ])
        }

        @Test func anUnclosedBracketIsReportedWhereItOpens() {
            #expect(diagnostics(of: "name: t\ndescription: x\nbackends: [none,\nworkloads: []\n") == [
                "test.yaml:3:11: YAML syntax error: this '[' is never closed (the file ends before its ']')",
            ])
        }

        @Test func aFileThatIsNotUTF8IsLocatedAtItsFirstBadByte() throws {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("latin1-\(UUID().uuidString).yaml").path
            try Data("name: t\ndescription: caf".utf8 + [0xE9] + "\n".utf8).write(to: URL(fileURLWithPath: path))
            defer { try? FileManager.default.removeItem(atPath: path) }
            #expect(throws: ScenarioError([Diagnostic(path: path, line: 2, column: 17,
                                                      message: "the file is not UTF-8 text (byte 0xE9); save it as UTF-8")])) {
                try ScenarioParser.parse(fileAt: path)
            }
        }

        @Test func theNestingLimitIsInTheLabsWords() {
            let lines = diagnostics(of: scenarioText("workloads: " + String(repeating: "[", count: 1200) + String(repeating: "]", count: 1200) + "\n"))
            #expect(lines == ["test.yaml:4:13: YAML syntax error: lists and mappings nest more than 1000 levels deep here; a scenario needs only a few"])
        }

        @Test func anUnquotedPlaceholderInFlowStyleGetsAHint() {
            let lines = diagnostics(of: scenarioText("parameters:\n  dur: [1s, 2s]\nworkloads:\n  - {type: throughput, duration: ${dur}}\n"))
            #expect(lines.count == 1)
            #expect(lines.first?.hasSuffix("; inside [ ] and { } a placeholder must be quoted: write \"${dur}\"") == true)
            #expect(lines.first?.hasPrefix("test.yaml:7:") == true)
        }

        @Test func aLongValueIsShortenedInItsMessage() {
            let value = String(repeating: "x", count: 1_000_000)
            let lines = diagnostics(of: "name: t\ndescription: x\nbackends: [\(value)]\nworkloads: [{type: connect}]\n")
            #expect(lines.first == "test.yaml:3:12: unknown backend '\(String(repeating: "x", count: 60))… (1000000 bytes)' "
                    + "(expected one of none, iptables-legacy, iptables-nft, iptables-ipset, nftables, iptables-raw, iptables-notrack, nftables-prerouting, nftables-ingress, xdp, tc, xdp-ct-lru, tc-ct-lru, xdp-ct-swept, tc-ct-swept, xdp-ct-kfunc, tc-ct-kfunc, tc-snat, tc-snat-swept)")
            let quoted = diagnostics(of: "name: \"\(value)!\"\ndescription: x\nbackends: [none]\nworkloads: [{type: connect}]\n")
            #expect(quoted.first?.hasSuffix("got \"\(String(repeating: "x", count: 60))…\" (1000001 bytes)") == true)
        }

        /// Explicit rules without a placeholder are read once for the whole sweep; a sweep of three
        /// points over 100k rules prints its time (release target: < 1 s, measured in the report).
        @Test func manyExplicitRulesInASweep() throws {
            let count = 100_000
            var text = scenarioText("parameters:\n  rules: [10, 100, 1000]\npolicy:\n  generate:\n    count: ${rules}\n  rules:\n")
            for index in 0..<count {
                text += "    - {action: deny, proto: tcp, src: 198.19.\(index / 256 % 256).\(index % 256), dport: \(1 + index % 60000)}\n"
            }
            text += "workloads: [{type: connect}]\n"
            let start = ContinuousClock.now
            let scenario = try ScenarioParser.parse(text: text, path: "test.yaml")
            let elapsed = ContinuousClock.now - start
            print("validated \(count) explicit rules over \(scenario.variants.count) sweep points in \(elapsed)")
            #expect(scenario.variants.map { $0.policy.rules.count } == [count + 10, count + 100, count + 1000])
            #expect(elapsed < .seconds(60), "hang guard")
        }
    }
}
