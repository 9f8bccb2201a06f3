import Foundation
import LabConntrack
import LabNetwork
import LabPacket
import LabPolicy
import LabResults
import LabSystem
@testable import LabTraffic
import Testing

@Suite("Connection workloads: flow plans, agent coding, statistics")
struct ConnectionWorkloadUnitTests {
    static let sources = ["198.19.0.1", "198.19.0.2", "198.20.7.9"].map { IPv4Address($0)! }
    static let server = IPv4Address("198.18.1.1")!

    static func plan(_ count: Int, seed: UInt64, sources: [IPv4Address] = sources) -> FlowFillPlan {
        FlowFillPlan(count: count, seed: seed, sources: sources, destination: server, destinationPort: 7007)!
    }

    @Test("a plan is a function of its inputs: the same flows in the same order, every 5-tuple distinct")
    func planDeterministicAndDistinct() {
        let a = Self.plan(100_000, seed: 9).flows
        #expect(a == Self.plan(100_000, seed: 9).flows)
        #expect(Set(a).count == a.count)
        #expect(a != Self.plan(100_000, seed: 10).flows, "another seed walks the grid in another order")
        #expect(a.allSatisfy { Self.sources.contains($0.source) && $0.destination == Self.server && $0.destinationPort == 7007 && $0.proto == 17 })
        #expect(a.allSatisfy { FlowFillPlan.ports.contains($0.sourcePort) })
        #expect(Set(a.map(\.source)) == Set(Self.sources), "flows spread over every source")
    }

    @Test("a plan fills the whole sources × ports grid without a repeat, and refuses more")
    func planCapacity() {
        let one = [IPv4Address("198.19.0.1")!]
        let full = Self.plan(FlowFillPlan.capacity(sources: 1), seed: 3, sources: one).flows
        #expect(Set(full.map(\.sourcePort)).count == FlowFillPlan.portsPerSource)
        #expect(FlowFillPlan(count: FlowFillPlan.capacity(sources: 1) + 1, seed: 3, sources: one, destination: Self.server,
                             destinationPort: 1) == nil)
        #expect(FlowFillPlan(count: 0, seed: 3, sources: one, destination: Self.server, destinationPort: 1) == nil)
    }

    @Test("the agent's plan is the driver's: a request names the same flows")
    func requestPlan() throws {
        let request = FlowFillRequest(interface: "blx-c0", sourceMac: "02:62:6c:00:00:01", gatewayMac: "02:62:6c:00:00:02",
                                      target: Endpoint(host: "198.18.1.1", port: 7007), sources: Self.sources.map { "\($0)" },
                                      count: 5000, seed: 11, rate: 0, duration: 5, timestampsFile: "/tmp/x.bin")
        let decoded = try AgentChannel.decodeRequest(AgentChannel.encode(.flowFill(request)))
        guard case .flowFill(let back) = decoded else { Issue.record("decoded as \(decoded.command)"); return }
        #expect(back.plan?.flows == Self.plan(5000, seed: 11).flows)
    }

    static let target = Endpoint(host: "198.18.1.1", port: 7005)
    static let flows = FlowPlanRequest(sources: ["198.19.0.1"], target: target, count: 100, seed: 2)
    static let requests: [AgentRequest] = [
        .flowFill(FlowFillRequest(interface: "blx-c0", sourceMac: "02:62:6c:00:00:01", gatewayMac: "02:62:6c:00:00:02",
                                  target: target, sources: ["198.19.0.1"], count: 10, seed: 1, rate: 1000, duration: 1,
                                  timestampsFile: "/tmp/t.bin", cpu: 0)),
        .connServer(ConnectionServerRequest(bind: target, deadline: 30)),
        .churnClient(ChurnClientRequest(transport: .udp, flows: flows, rate: 500, duration: 2, count: 100, concurrency: 8)),
        .establishedClient(EstablishedClientRequest(flows: flows, interval: 0.5, replyTimeout: 1, deadline: 60)),
    ]

    @Test("every connection agent request survives the command line and validates", arguments: requests)
    func roundTrip(request: AgentRequest) throws {
        let text = AgentChannel.encode(request)
        #expect(text.hasPrefix("{\"\(request.command)\":{"))
        #expect(try AgentChannel.decodeRequest(text) == request)
        try request.validate()
    }

    @Test("requests no agent could carry out are refused with the field named")
    func validation() {
        let tooMany = FlowPlanRequest(sources: ["198.19.0.1"], target: Self.target, count: FlowFillPlan.capacity(sources: 1) + 1, seed: 1)
        let bad: [(AgentRequest, String)] = [
            (.churnClient(ChurnClientRequest(transport: .tcp, flows: tooMany, rate: 0, duration: 1, count: 1, concurrency: 1)), "count must be"),
            (.churnClient(ChurnClientRequest(transport: .tcp, flows: Self.flows, rate: 0, duration: 1, count: 1, concurrency: 0)), "concurrency"),
            (.establishedClient(EstablishedClientRequest(flows: Self.flows, interval: 0, replyTimeout: 1, deadline: 5)), "interval"),
            (.flowFill(FlowFillRequest(interface: "x", sourceMac: "nope", gatewayMac: "02:62:6c:00:00:02", target: Self.target,
                                       sources: ["198.19.0.1"], count: 1, seed: 1, rate: 0, duration: 1, timestampsFile: "/t")), "MAC"),
        ]
        for (request, expected) in bad {
            let error = #expect(throws: LabFailure.self) { try request.validate() }
            #expect(error?.description.contains(expected) == true, "\(error?.description ?? "")")
        }
    }

    @Test("timestamps round-trip through the binary file form, and a short file is one clear error")
    func timestamps() throws {
        let stamps: [UInt64] = [0, 1, 1_700_000_000_123_456_789, UInt64.max]
        let data = FlowFillTimestamps.encode(stamps)
        #expect(data.count == 32)
        #expect(try FlowFillTimestamps.decode(data, count: 4) == stamps)
        #expect(throws: LabFailure.self) { _ = try FlowFillTimestamps.decode(data.dropLast(), count: 4) }
    }

    @Test("a fill result gives the GC-lag input: only flows sent, each with its own time")
    func fillIdle() {
        let plan = Self.plan(4, seed: 1)
        let result = FlowFillResult(plan: plan, report: FlowFillReport(sent: 3, elapsedSeconds: 0.5, busy: 0, firstError: nil),
                                    lastPacketNanoseconds: [10, 20, 30, 0])
        let idle = result.idle(timeoutSeconds: 30)
        #expect(idle.map(\.flow) == Array(plan.flows.prefix(3)))
        #expect(idle.map(\.expiryNanoseconds) == [30_000_000_010, 30_000_000_020, 30_000_000_030])
        #expect(result.flowsPerSecond == 6)
    }

    @Test("errnos map to failure reasons; counts keep every reason")
    func failures() throws {
        #expect(FlowFailure.from(errno: ECONNREFUSED, connecting: true) == .refused)
        #expect(FlowFailure.from(errno: ECONNRESET, connecting: false) == .reset)
        #expect(FlowFailure.from(errno: EPIPE, connecting: false) == .reset)
        #expect(FlowFailure.from(errno: ETIMEDOUT, connecting: true) == .connectTimeout)
        #expect(FlowFailure.from(errno: ETIMEDOUT, connecting: false) == .timeout)
        #expect(FlowFailure.from(errno: ENETUNREACH, connecting: true) == .other)
        var counts = FailureCounts()
        counts.add(.refused)
        counts.add(.refused)
        counts.add(.replyTimeout)
        #expect(counts[.refused] == 2 && counts[.replyTimeout] == 1 && counts.total == 3)
        #expect(counts.counts.count == FlowFailure.allCases.count)
        let json = String(decoding: try JSONEncoder().encode(counts), as: UTF8.self)
        #expect(try JSONDecoder().decode(FailureCounts.self, from: Data(json.utf8)) == counts)
    }

    static let churnLine = #"{"attempted":1000,"elapsed_s":2,"failed":{"connect_timeout":3,"other":0,"refused":5,"#
        + #""reply_timeout":2,"reset":0,"timeout":0},"first_error":null,"open":{"completed":990,"elapsed_s":2,"failed":0,"#
        + #""max_us":900,"mean_us":60,"p50_us":50,"p90_us":80,"p99_us":300,"p999_us":700},"protocol":"tcp","succeeded":990,"#
        + #""open_histogram":[[50000,990]],"timeline":{"failed":[0,10],"succeeded":[500,490]}}"#
    static let establishedLine = #"{"broken":[{"after_s":1.5,"index":3,"reason":"reply_timeout"}],"#
        + #""broken_by_reason":{"connect_timeout":0,"other":0,"refused":0,"reply_timeout":1,"reset":0,"timeout":0},"#
        + #""elapsed_s":3,"failed_to_open":{"connect_timeout":0,"other":0,"refused":0,"reply_timeout":0,"reset":0,"timeout":0},"#
        + #""flows":8,"opened":8,"round_trips":100}"#

    @Test("the agents' reports become the workload's samples: rate, percentiles, failures by reason, established_broken")
    func samples() throws {
        let churn = try AgentChannel.decodeReply(ChurnReport.self, from: Self.churnLine, "churn-client")
        let kept = try AgentChannel.decodeReply(EstablishedReport.self, from: Self.establishedLine, "established-client")
        let samples = ConnectionsWorkload.samples(churn, established: kept, workload: "w")
        func value(_ metric: MetricInfo) -> Double? { samples.first { $0.metric == metric.name }?.value }
        #expect(value(ConnectionsWorkload.newFlowsPerSecond) == 495)
        #expect(value(ConnectionsWorkload.openP99) == 300)
        #expect(value(ConnectionsWorkload.failedRefused) == 5)
        #expect(value(ConnectionsWorkload.failedConnectTimeout) == 3)
        #expect(value(ConnectionsWorkload.failedReplyTimeout) == 2)
        #expect(value(ConnectionsWorkload.establishedBroken) == 1)
        #expect(!ConnectionsWorkload.samples(churn, established: nil, workload: "w").contains { $0.metric == "established_broken" })
        for sample in samples {
            #expect(ConnectionsWorkload.metrics.contains { $0.name == sample.metric })
            #expect(MetricCatalog.standard.contains(sample.metric), "uncatalogued \(sample.metric)")
        }
        #expect(MetricCatalog.standard.conflicts.isEmpty)
    }

    @Test("clients share rate, concurrency and count, the first taking the remainders; rate 0 stays unlimited")
    func shares() {
        let shares = ChurnShares(clients: 2, rate: 1001, concurrency: 64, count: 11)
        #expect((0..<2).map(shares.rate) == [501, 500])
        #expect((0..<2).map(shares.concurrency) == [32, 32])
        #expect((0..<2).map(shares.count) == [6, 5])
        #expect(ChurnShares(clients: 3, rate: 0, concurrency: 2, count: 100).rate(2) == 0)
        #expect(ChurnShares(clients: 3, rate: 0, concurrency: 2, count: 100).concurrency(2) == 1)
    }

    @Test("merged churn reports add counts, merge histograms (not percentiles) and add timelines")
    func merge() throws {
        func report(_ values: [UInt64], failed: FlowFailure?, slices: [Int]) -> ChurnReport {
            var recorder = LatencyRecorder()
            for value in values { recorder.record(nanoseconds: value) }
            var counts = FailureCounts()
            if let failed { counts.add(failed, count: 2) }
            var timeline = OutcomeTimeline()
            for (slice, n) in slices.enumerated() {
                for _ in 0..<n { timeline.record(success: true, atNanoseconds: UInt64(slice) * OutcomeTimeline.sliceNanoseconds) }
            }
            return ChurnReport(transport: .tcp, attempted: values.count + (failed == nil ? 0 : 2), succeeded: values.count, failed: counts,
                               elapsedSeconds: Double(values.count) / 100, open: recorder.report(failed: 0, elapsedSeconds: 1, firstError: nil),
                               openBuckets: recorder.buckets, timeline: timeline, firstError: nil)
        }
        // 90 fast opens in one client, 10 slow ones in the other: the merged p50 is fast and p99 slow,
        // which averaging the two clients' percentiles would not give.
        let fast = report(Array(repeating: 100_000, count: 90), failed: .refused, slices: [50, 40])
        let slow = report(Array(repeating: 9_000_000, count: 10), failed: nil, slices: [0, 0, 10])
        let merged = MergedChurn.merge([fast, slow])
        #expect(merged.attempted == 102 && merged.succeeded == 100 && merged.failed[.refused] == 2)
        #expect(merged.elapsedSeconds == 0.9)
        #expect(abs(merged.open.p50Microseconds - 100) < 1)
        #expect(abs(merged.open.p99Microseconds - 9000) < 10)
        #expect(merged.open.completed == 100)
        #expect(merged.timeline.succeeded == [50, 40, 10])
        let text = String(decoding: try JSONEncoder().encode(merged), as: UTF8.self)
        #expect(try JSONDecoder().decode(ChurnReport.self, from: Data(text.utf8)) == merged)
    }

    @Test("the outcome timeline buckets by 100 ms and finds the first clean slice after the last failure")
    func timeline() {
        var timeline = OutcomeTimeline()
        #expect(timeline.recoverySeconds == nil)
        for ms: UInt64 in [10, 20, 150, 160] { timeline.record(success: true, atNanoseconds: ms * 1_000_000) }
        for ms: UInt64 in [210, 420] { timeline.record(success: false, atNanoseconds: ms * 1_000_000) }
        #expect(timeline.recoverySeconds == nil, "no success after the last failure yet")
        timeline.record(success: true, atNanoseconds: 450_000_000)
        timeline.record(success: true, atNanoseconds: 610_000_000)
        #expect(timeline.succeeded == [2, 2, 0, 0, 1, 0, 1])
        #expect(timeline.failed == [0, 0, 1, 0, 1, 0, 0])
        #expect(timeline.recoverySeconds == 0.6)
    }

    @Test("the connections kind reads its fields and describes its settings")
    func kind() {
        let values = WorkloadValues(values: ["protocol": .transport(.udp), "rate": .integer(500), "duration": .integer(2_000),
                                             "concurrency": .integer(8), "established": .integer(4), "established_interval": .integer(250)])
        let workload = ConnectionsWorkload(values: values)
        #expect(workload.name == "udp-connections")
        #expect(workload.settings == "protocol=udp rate=500/s duration=2s concurrency=8 established=4 established_interval=250ms")
        #expect(ConnectionsWorkload(name: "c", proto: .tcp).settings == "protocol=tcp rate=unlimited duration=5s concurrency=64")
        #expect(WorkloadRegistry.definition(kind: "connections") != nil)
    }
}

@Suite("Flow fill frames")
struct FlowFramesTests {
    @Test("a frame patched from the template is byte for byte the frame built whole, checksums included")
    func patchedEqualsBuilt() throws {
        let source = try #require(MACAddress("02:62:6c:00:00:01"))
        let gateway = try #require(MACAddress("02:62:6c:00:00:02"))
        let server = IPv4Address("198.18.1.1")!
        let sources = ["198.19.0.1", "198.18.255.254", "198.19.255.255", "198.18.16.0", "198.19.128.7"].map { IPv4Address($0)! }
        let plan = try #require(FlowFillPlan(count: 20_000, seed: 4, sources: sources, destination: server, destinationPort: 7007))
        for payload in [1, 18, 100] {
            let frames = FlowFrames(sourceMAC: source, gatewayMAC: gateway, destination: server, destinationPort: 7007, payloadBytes: payload)
            for flow in plan.flows {
                var patched: [UInt8] = []
                frames.append(flow, to: &patched)
                let whole = UDPFrame(sourceMAC: source, destinationMAC: gateway, source: flow.source, destination: server,
                                     sourcePort: flow.sourcePort, destinationPort: 7007, payloadBytes: payload).bytes
                guard patched == whole else {
                    Issue.record("\(flow), payload \(payload): patched frame differs")
                    return
                }
            }
        }
    }
}
