import LabPolicy
import LabTraffic

/// The validated variants of a sweep, before their generated rules are drawn.
struct VariantDrafts {
    private var drafts: [(point: [ParameterBinding], workloads: [Workload], policy: PolicyDraft)] = []

    var count: Int { drafts.count }
    /// The first point's SNAT policy: its egress rules become the gateway topology's egress routes.
    var firstSNAT: SNATPolicy? { drafts.first?.policy.snat }

    mutating func append(point: [ParameterBinding], workloads: [Workload], policy: PolicyDraft) {
        drafts.append((point, workloads, policy))
    }

    /// Draws each distinct generator's rules once: a sweep over workload settings alone shares one
    /// policy, and the variants then share its rule array too (copy on write).
    ///
    /// Without `drawRules`, policies hold only their explicit rules (for listings, never for runs).
    func variants(drawRules: Bool, policyPosition: SourcePosition?, log: DiagnosticLog) throws -> [Variant] {
        var drawn: [RuleGenerator: [Rule]] = [:]
        return try drafts.map { draft in
            var policy = draft.policy
            if !drawRules { policy.generator = nil }
            if let generator = policy.generator, drawn[generator] == nil {
                do {
                    drawn[generator] = try generator.rules()
                } catch {
                    // Unreachable after GeneratorReader's capacity check; reported rather than trusted.
                    log.error("cannot generate the policy's rules: \(error)", at: policyPosition ?? .start)
                    throw log.scenarioError
                }
            }
            // Generated rules go first: the workloads' traffic then walks past every one of them
            // before it meets an explicit rule (they are drawn from the client pool, not the client).
            let generated = policy.generator.flatMap { drawn[$0] } ?? []
            let rules = generated + policy.explicitRules
            return Variant(point: draft.point, workloads: draft.workloads,
                           policy: Policy(rules: rules, defaultAction: policy.defaultAction, tracking: policy.tracking,
                                          snat: policy.snat))
        }
    }
}
