import LabBackends
import LabRunner
import LabScenario
import Testing

@Suite("Run plan")
struct RunPlanTests {
    @Test("cases interleave across rounds, warm-ups first")
    func interleaving() {
        let variant = Variant(point: [], workloads: [])
        let cases = [BackendKind.none, .nftables, .xdp].map { CaseSpec(backend: $0, variant: variant) }
        let plan = RunPlan(cases: cases, warmup: 1, repeats: 2)
        #expect(plan.steps.map(\.caseIndex) == [0, 1, 2, 0, 1, 2, 0, 1, 2])
        #expect(plan.steps.map(\.warmup) == [true, true, true, false, false, false, false, false, false])
        #expect(plan.steps.map(\.round) == [0, 0, 0, 1, 1, 1, 2, 2, 2])
    }
}
