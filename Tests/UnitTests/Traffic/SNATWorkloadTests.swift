import LabConntrack
import LabNetwork
import LabPolicy
import LabResults
import LabSystem
import LabTopology
import Testing
@testable import LabTraffic

@Suite("SNAT workloads: ramp planning, bad fields, samples and series")
struct SNATWorkloadTests {
    @Test("the default ramp: 7 levels from 0.5 to 1.1 of the range, cumulative totals rounded to the nearest connection")
    func defaultPlan() throws {
        let plan = try SNATRampPlan(range: 64, from: 0.5, to: 1.1, steps: 7)
        #expect(plan.totals == [32, 38, 45, 51, 58, 64, 70])
        #expect((0..<7).map { plan.attempts(step: $0) } == [32, 6, 7, 6, 7, 6, 6])
        #expect(abs(plan.levels[3] - 0.8) < 1e-12 && plan.levels.last == 1.1)
        let big = try SNATRampPlan(range: 64_512, from: 0.5, to: 1.1, steps: 7)
        #expect(big.totals.last == 70_963 && big.totals.first == 32_256)
    }

    @Test("one step is the top level; equal from and to repeat the same total (no new attempts)")
    func edgePlans() throws {
        #expect(try SNATRampPlan(range: 100, from: 0.5, to: 1.1, steps: 1).totals == [110])
        let flat = try SNATRampPlan(range: 10, from: 1, to: 1, steps: 3)
        #expect(flat.totals == [10, 10, 10] && flat.attempts(step: 2) == 0)
    }

    @Test("plans that cannot run are refused with one line: steps 0, from above to, a first step of no connection, too many")
    func badPlans() {
        #expect(throws: LabFailure.self) { try SNATRampPlan(range: 64, from: 0.5, to: 1.1, steps: 0) }
        #expect(throws: LabFailure.self) { try SNATRampPlan(range: 64, from: 1.2, to: 1.1, steps: 7) }
        #expect(throws: LabFailure.self) { try SNATRampPlan(range: 1, from: 0.1, to: 1.1, steps: 3) }
        #expect(throws: LabFailure.self) { try SNATRampPlan(range: 65_535, from: 0.5, to: 4, steps: 3) }
        #expect(throws: LabFailure.self) { try SNATRampPlan(range: 0, from: 0.5, to: 1, steps: 3) }
    }

    @Test("from above to is a scenario error at from's value; the fields carry the brief's defaults")
    func fields() {
        let issues = SNATExhaustionWorkload.conflicts(in: WorkloadValues(values: ["from": .number(1.2), "to": .number(1.1)]))
        #expect(issues == [WorkloadFieldIssue(key: "from", at: .value, "from (1.2) must be at most to (1.1): the ramp only goes up")])
        #expect(SNATExhaustionWorkload.conflicts(in: WorkloadValues(values: ["from": .number(0.5), "to": .number(1.1)])).isEmpty)
        let workload = SNATExhaustionWorkload(values: WorkloadValues())
        #expect(workload == SNATExhaustionWorkload())
        #expect(workload.settings == "from=0.5 to=1.1 steps=7 pods=64 connect_timeout=900ms concurrency=256 recovery_timeout=30s")
        #expect(WorkloadRegistry.definition(kind: "snat-exhaustion") != nil && WorkloadRegistry.definition(kind: "masquerade-delay") != nil)
    }

    @Test("the range comes from `range`, else the policy's snat ports; neither is an error naming the field")
    func range() throws {
        let snat = SNATPolicy(ports: PortRange(20_000, 20_255)!, egress: [EgressRule(sources: [IPv4Prefix("198.19.0.0/16")!],
                                                                                    egressIPs: [IPv4Address("198.18.0.5")!])])
        var policy = Policy.allowAll
        policy.snat = snat
        let withSNAT = FilterUnderTest(policy: policy, enforces: true, droppedPackets: nil)
        #expect(try SNATExhaustionWorkload().portRange(withSNAT) == 256)
        #expect(try SNATExhaustionWorkload(range: 64).portRange(withSNAT) == 64)
        #expect(throws: LabFailure.self) { try SNATExhaustionWorkload().portRange(.unfiltered) }
    }

    static let report = SNATRampReport(
        steps: [
            SNATRampStep(attempted: 32, succeeded: 32, failed: FailureCounts(), liveBefore: 0, liveAfter: 32, connectP99Milliseconds: 2, seconds: 0.1),
            SNATRampStep(attempted: 38, succeeded: 32, failed: { var f = FailureCounts(); f.add(.connectTimeout, count: 6); return f }(),
                         liveBefore: 32, liveAfter: 64, connectP99Milliseconds: 3, seconds: 1),
        ],
        released: 64, recoveryMilliseconds: 10_250, recoveryAttempts: 103, connectP99Milliseconds: 2.5, firstError: nil)

    @Test("samples: the top step's failure share beside the model's, totals, p99 and recovery; series per step at its level")
    func shaping() throws {
        let plan = try SNATRampPlan(range: 64, from: 0.5, to: 1.1, steps: 2)
        let m = SNATExhaustionShaping.measurement(plan: plan, report: Self.report, translated: [], workload: "w")
        func sample(_ name: String) -> Double? { m.samples.first { $0.metric == name }?.value }
        #expect(sample("snat_fail_ratio") == 6.0 / 38)
        #expect(sample("snat_model_fail_ratio") == PortExhaustionModel.expectedFailureShare(attempts: 38, range: 64, tries: 128, initiallyOccupied: 32))
        #expect(sample("connections_failed") == 6 && sample("connections_held") == 64 && sample("connect_p99_ms") == 2.5)
        #expect(sample("recovery_ms") == 10_250 && sample("recovered") == 1)
        #expect(sample("snat_alloc_failures") == nil, "no translator, no allocation counter")
        let names = m.series.map(\.name)
        #expect(names == ["snat_occupancy_before", "snat_occupancy_after", "snat_attempted", "snat_failed", "snat_fail_share",
                          "snat_model_share", "snat_model_pfail"])
        #expect(m.series.allSatisfy { $0.x == plan.levels })
        #expect(m.series[0].y == [0, 0.5] && m.series[1].y == [0.5, 1] && m.series[4].y == [0, 6.0 / 38])
    }

    @Test("with translators: allocation failures and retried allocations per step, summed over gateways")
    func translated() throws {
        let plan = try SNATRampPlan(range: 64, from: 0.5, to: 1.1, steps: 2)
        let a = SNATStatistics(flowsTranslated: 30, allocationFailures: 0, droppedUnselected: 0,
                               retries: RetryHistogram(lowerBounds: [0, 1, 8], counts: [20, 8, 2], failed: 0))
        let b = SNATStatistics(flowsTranslated: 2, allocationFailures: 6, droppedUnselected: 0,
                               retries: RetryHistogram(lowerBounds: [0, 1, 8], counts: [0, 1, 1], failed: 6))
        let sum = try #require(SNATExhaustionShaping.total([a, b]))
        #expect(sum.allocationFailures == 6 && sum.retries?.counts == [20, 9, 3] && sum.retries?.failed == 6)
        let m = SNATExhaustionShaping.measurement(plan: plan, report: Self.report, translated: [a, b], workload: "w")
        #expect(m.series.first { $0.name == "snat_alloc_failures" }?.y == [0, 6])
        #expect(m.series.first { $0.name == "snat_retried" }?.y == [10, 2])
        #expect(m.samples.first { $0.metric == "snat_alloc_failures" }?.value == 6)
        let unrecovered = SNATRampReport(steps: Self.report.steps, released: 64, recoveryMilliseconds: nil, recoveryAttempts: 300,
                                         connectP99Milliseconds: nil, firstError: nil)
        let none = SNATExhaustionShaping.measurement(plan: plan, report: unrecovered, translated: [nil, nil], workload: "w")
        #expect(none.samples.first { $0.metric == "recovered" }?.value == 0 && !none.samples.contains { $0.metric == "recovery_ms" })
        #expect(!none.series.contains { $0.name == "snat_alloc_failures" })
    }

    @Test("masquerade-delay: delay and programming time from t0; a success before t0 or none at all is an error")
    func masqueradeSamples() throws {
        let workload = MasqueradeDelayWorkload()
        let source = IPv4Address("198.19.255.1")!
        let report = FirstConnectReport(firstAttemptNanoseconds: 1_000_000, firstSuccessNanoseconds: 9_000_000, attempts: 4, failed: 3, firstError: nil)
        let samples = try MasqueradeDelayRun.samples(report, programmed: (t0: 4_000_000, returned: 6_500_000), source: source, workload: workload)
        #expect(samples.map(\.metric) == ["masquerade_delay_ms", "program_ms"] && samples.map(\.value) == [5, 2.5])
        let plain = try MasqueradeDelayRun.samples(report, programmed: nil, source: source, workload: workload)
        #expect(plain.map(\.metric) == ["first_connect_ms"] && plain[0].value == 8)
        #expect(throws: LabFailure.self) {
            try MasqueradeDelayRun.samples(report, programmed: (t0: 9_500_000, returned: 9_600_000), source: source, workload: workload)
        }
        var never = report
        never.firstSuccessNanoseconds = nil
        #expect(throws: LabFailure.self) { try MasqueradeDelayRun.samples(never, programmed: nil, source: source, workload: workload) }
    }

    @Test("new pods for masquerade-delay are unselected by every egress rule and not reused")
    func newPods() throws {
        let topology = TopologyPlan(preset: .routed, id: "snatwl").topology
        var policy = Policy.allowAll
        let selected = IPv4Prefix("198.18.16.0/20")!
        policy.snat = SNATPolicy(ports: PortRange(1024, 2047)!, egress: [EgressRule(sources: [selected], egressIPs: [IPv4Address("198.18.0.5")!])])
        let first = try SNATSources.newPods(topology, policy: policy, port: 7009, count: 3, excluding: [], workload: "w")
        #expect(first.count == 3 && first.allSatisfy { !selected.contains($0) })
        let second = try SNATSources.newPods(topology, policy: policy, port: 7009, count: 3, excluding: Set(first), workload: "w")
        #expect(Set(second).isDisjoint(with: first))
        let pods = try SNATSources.pods(topology, policy: policy, port: 7008, wanted: 8, workload: "w")
        #expect(!pods.isEmpty && pods.allSatisfy { selected.contains($0) })
    }

    @Test("agent requests for the SNAT agents round-trip through the channel and are validated")
    func requests() throws {
        let ramp = SNATRampRequest(sources: ["198.19.0.1"], target: Endpoint(host: "198.18.1.1", port: 7008), totals: [32, 70],
                                   concurrency: 64, connectTimeout: 0.9, recoveryTimeout: 30, controlFile: "/tmp/c", deadline: 60)
        #expect(try AgentChannel.decodeRequest(AgentChannel.encode(.snatRamp(ramp))) == .snatRamp(ramp))
        var bad = ramp
        bad.totals = [70, 32]
        #expect(throws: LabFailure.self) { try AgentRequest.snatRamp(bad).validate() }
        let first = FirstConnectRequest(source: "198.19.0.9", target: Endpoint(host: "198.18.1.1", port: 7009), interval: 0.002,
                                        attemptTimeout: 0.2, deadline: 10)
        #expect(try AgentChannel.decodeRequest(AgentChannel.encode(.firstConnect(first))) == .firstConnect(first))
    }
}

@Suite("SNAT tries within a share")
struct SNATTriesWithinTests {
    let bounds = [0, 1, 2, 3, 5, 9, 17, 33, 65]

    @Test("the upper end of the bucket that reaches the share; the last bucket ends at 128; nothing allocated is nil")
    func triesWithin() {
        // 10 kept, 80 at try 1, 10 at 33–64: 90% is reached at try 1.
        let mostlyFirst = RetryHistogram(lowerBounds: bounds, counts: [10, 80, 0, 0, 0, 0, 0, 10, 0], failed: 3)
        #expect(SNATExhaustionShaping.triesWithin(mostlyFirst, share: 0.9) == 1)
        #expect(SNATExhaustionShaping.triesWithin(mostlyFirst, share: 0.95) == 64)
        let kept = RetryHistogram(lowerBounds: bounds, counts: [5, 0, 0, 0, 0, 0, 0, 0, 0], failed: 0)
        #expect(SNATExhaustionShaping.triesWithin(kept, share: 0.9) == 0)
        let late = RetryHistogram(lowerBounds: bounds, counts: [0, 0, 0, 0, 0, 0, 0, 0, 4], failed: 0)
        #expect(SNATExhaustionShaping.triesWithin(late, share: 0.9) == 128)
        #expect(SNATExhaustionShaping.triesWithin(RetryHistogram(lowerBounds: bounds, counts: Array(repeating: 0, count: 9), failed: 7), share: 0.9) == nil)
    }
}
