import LabBPF
import LabPolicy
import LabTestSupport
import Testing

extension KernelTests {
    /// The kernel's verdicts against ReferenceEvaluator for random flows over random policies (seeded,
    /// so a failure reproduces): the check that the compiler, the maps and the program together are
    /// the policy.
    @Suite("BPF filter against the reference evaluator")
    struct BPFFilterRandomizedTests {
        @Test("random policies and flows", arguments: FilterVariant.allCases, [UInt64(11), 12])
        func randomPoliciesAndFlows(variant: FilterVariant, seed: UInt64) throws {
            try BPFTestEnvironment.requireFilterLoads()
            var random = RandomPolicies(seed: seed)
            var checked = 0
            for _ in 0..<25 {
                let policy = random.policy(maxRules: 20)
                let filter = try BPFFilter(variant: variant, policy: policy)
                for _ in 0..<80 {
                    let flow = random.flow()
                    let expected: Action = ReferenceEvaluator.verdict(policy, flow) == .allow ? .allow : .deny
                    let verdict = try filter.run(TestPacket(flow: flow).bytes).verdict
                    #expect(verdict == expected, "seed \(seed): \(flow) under \(policy.rules), default \(policy.defaultAction)")
                    checked += 1
                }
            }
            #expect(checked == 2000)
        }
    }
}
