import LabScenario

/// The order a run executes in. Cases are interleaved across repeats (A B C A B C …) so that slow
/// drift of the machine — thermal state, a noisy neighbour — spreads over every case instead of
/// biasing whichever ran last. Warm-up rounds come first and are recorded but not counted.
public struct RunPlan: Sendable {
    public struct Step: Sendable, Equatable {
        public var caseIndex: Int
        /// 0-based round, warm-ups included.
        public var round: Int
        public var warmup: Bool
    }

    public let cases: [CaseSpec]
    public let warmup: Int
    public let repeats: Int

    public init(cases: [CaseSpec], warmup: Int, repeats: Int) {
        self.cases = cases
        self.warmup = warmup
        self.repeats = repeats
    }

    public var rounds: Int { warmup + repeats }

    public var steps: [Step] {
        (0..<rounds).flatMap { round in
            cases.indices.map { Step(caseIndex: $0, round: round, warmup: round < warmup) }
        }
    }
}
