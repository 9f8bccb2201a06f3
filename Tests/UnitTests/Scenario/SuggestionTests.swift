import LabBackends
import Testing
@testable import LabScenario

extension ScenarioTests {
    @Suite("Suggestions and diagnostics order")
    struct Suggestions {
        @Test(arguments: [("repat", "repeat"), ("xpd", "xdp"), ("Routed", "routed"), ("latncy", "latency"), ("tpc", "tcp")])
        func closeWordsAreSuggested(word: String, expected: String) {
            #expect(Suggestion.candidates(for: word, among: ["repeat", "xdp", "routed", "latency", "tcp", "udp"]) == [expected])
        }

        @Test func shortWordsGetOneEditAndLongerOnesTwo() {
            #expect(Suggestion.candidates(for: "sctp", among: ["tcp", "udp"]) == [])
            #expect(Suggestion.candidates(for: "warmpu", among: ["warmup"]) == ["warmup"])
            #expect(Suggestion.candidates(for: "wrmpu", among: ["warmup"]) == ["warmup"])
            #expect(Suggestion.candidates(for: "colour", among: ["count", "topology"]) == [])
        }

        @Test func aPrefixOfSeveralNamesSuggestsThemAll() {
            let backends = BackendKind.allCases.map(\.rawValue)
            #expect(Suggestion.hint(for: "iptables", among: backends, otherwise: "-")
                    == "did you mean 'iptables-legacy', 'iptables-nft', 'iptables-ipset', 'iptables-raw' or 'iptables-notrack'?")
            #expect(Suggestion.hint(for: "nft", among: backends, otherwise: "-")
                    == "did you mean 'nftables', 'nftables-prerouting' or 'nftables-ingress'?")
            #expect(Suggestion.hint(for: "ebpf", among: backends, otherwise: "none close") == "none close")
        }

        @Test func editDistanceCountsATranspositionAsOneEdit() {
            #expect(Suggestion.editDistance(Array("xpd"), Array("xdp")) == 1)
            #expect(Suggestion.editDistance(Array("kitten"), Array("sitting")) == 3)
            #expect(Suggestion.editDistance(Array(""), Array("abc")) == 3)
        }

        @Test func diagnosticsAreSortedByPositionKeepingTheOrderOfTies() {
            let error = ScenarioError([
                Diagnostic(path: "f", line: 3, column: 1, message: "c"),
                Diagnostic(path: "f", line: 1, column: 9, message: "b"),
                Diagnostic(path: "f", line: 1, column: 1, message: "a1"),
                Diagnostic(path: "f", line: 1, column: 1, message: "a2"),
            ])
            #expect(error.description == "f:1:1: a1\nf:1:1: a2\nf:1:9: b\nf:3:1: c")
        }
    }
}
