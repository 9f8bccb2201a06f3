import LabNetwork
import LabPacket
import LabPolicy
import LabResults
import LabSystem
import Testing
@testable import LabTraffic

@Suite("Flood-goodput workload")
struct FloodGoodputTests {
    @Test("the flood's rate is its share of the ceiling: 0 is no flood, 1 unpaced, in between share × ceiling")
    func pace() {
        #expect(FloodPace(share: 0, ceilingPacketsPerSecond: 250_000) == .none)
        #expect(FloodPace(share: 0, ceilingPacketsPerSecond: 250_000).agentRate == nil)
        #expect(FloodPace(share: 1, ceilingPacketsPerSecond: 250_000) == .unpaced)
        #expect(FloodPace(share: 1, ceilingPacketsPerSecond: 250_000).agentRate == 0)
        #expect(FloodPace(share: 0.5, ceilingPacketsPerSecond: 250_000) == .paced(125_000))
        #expect(FloodPace(share: 0.25, ceilingPacketsPerSecond: 290_001) == .paced(72_500))
        #expect(FloodPace(share: 0.75, ceilingPacketsPerSecond: 200_000).agentRate == 150_000)
        // A share of a tiny ceiling still sends: a rate of 0 would mean unpaced.
        #expect(FloodPace(share: 0.01, ceilingPacketsPerSecond: 10) == .paced(1))
        // An absolute rate is the same for every backend; 0 is no flood.
        #expect(FloodPace(packetsPerSecond: 0) == .none)
        #expect(FloodPace(packetsPerSecond: 30_000) == .paced(30_000))
    }

    static func transactions(completed: Int, failed: Int = 0, elapsed: Double = 2) -> AgentReport {
        AgentReport(completed: completed, failed: failed, elapsedSeconds: elapsed, p50Microseconds: 40, p90Microseconds: 60,
                    p99Microseconds: 120, p999Microseconds: 300, meanMicroseconds: 45, maxMicroseconds: 900, firstError: nil)
    }

    static func values(_ samples: [Sample]) -> [String: Double] {
        Dictionary(uniqueKeysWithValues: samples.map { ($0.metric, $0.value) })
    }

    @Test("without a flood: transactions per second and latency, an offered flood of 0, and no flood metrics")
    func noFlood() throws {
        let samples = try FloodGoodputMeasurement(transactions: Self.transactions(completed: 10_000, failed: 2), flood: nil,
                                                  ceiling: nil, filterDropped: nil).samples(workload: "gp")
        #expect(samples.map(\.metric) == ["tps", "rr_p50_us", "rr_p99_us", "rr_timeouts", "flood_pps_offered"])
        let v = Self.values(samples)
        #expect(v["tps"] == 5_000 && v["rr_p50_us"] == 40 && v["rr_p99_us"] == 120 && v["rr_timeouts"] == 2)
        #expect(v["flood_pps_offered"] == 0)
        #expect(samples.allSatisfy { $0.workload == "gp" })
    }

    @Test("with a flood: offered and dropped per second of the flood's own send time, and the ceiling")
    func withFlood() throws {
        let flood = FloodReport(sent: 500_000, sentDenied: 500_000, elapsedSeconds: 2.5, busy: 0, firstError: nil)
        let ceiling = FloodReport(sent: 90_000, sentDenied: 90_000, elapsedSeconds: 0.3, busy: 0, firstError: nil)
        let v = Self.values(try FloodGoodputMeasurement(transactions: Self.transactions(completed: 3_000), flood: flood,
                                                        ceiling: ceiling, filterDropped: 450_000).samples(workload: "gp"))
        #expect(v["tps"] == 1_500)
        #expect(v["flood_pps_offered"] == 200_000)
        #expect(v["flood_pps_dropped"] == 180_000)
        #expect(abs(v["generator_ceiling_pps"]! - 300_000) < 1e-6)
        // No counter (the filter has none): no drop rate, rather than a false 0.
        let uncounted = Self.values(try FloodGoodputMeasurement(transactions: Self.transactions(completed: 3_000), flood: flood,
                                                                ceiling: ceiling, filterDropped: nil).samples(workload: "gp"))
        #expect(uncounted["flood_pps_dropped"] == nil && uncounted["flood_pps_offered"] == 200_000)
    }

    @Test("a flood that stopped every transaction gives a rate of 0 and no percentiles of nothing")
    func collapsed() throws {
        let flood = FloodReport(sent: 700_000, sentDenied: 700_000, elapsedSeconds: 2, busy: 0, firstError: nil)
        let v = Self.values(try FloodGoodputMeasurement(transactions: Self.transactions(completed: 0, failed: 10), flood: flood,
                                                        ceiling: nil, filterDropped: 0).samples(workload: "gp"))
        #expect(v["tps"] == 0 && v["rr_timeouts"] == 10)
        #expect(v["rr_p50_us"] == nil && v["rr_p99_us"] == nil)
    }

    @Test("a flood that sent nothing is an error naming the workload, not a rate of 0")
    func silentFlood() {
        let flood = FloodReport(sent: 0, sentDenied: 0, elapsedSeconds: 0, busy: 0, firstError: "send: Network is down")
        let error = #expect(throws: LabFailure.self) {
            _ = try FloodGoodputMeasurement(transactions: Self.transactions(completed: 5), flood: flood, ceiling: nil,
                                            filterDropped: nil).samples(workload: "gp")
        }
        #expect(error?.description == "gp: the flood sent no packet (send: Network is down)")
    }

    @Test("the good transactions must come from a source the policy allows")
    func allowedClient() throws {
        let client = IPv4Address("198.18.0.2")!
        let server = AddressPlan.server
        let floodOnly = Policy(rules: [Rule(action: .deny, source: IPv4Prefix("198.19.255.0/24"))], defaultAction: .allow)
        try FloodGoodputDriver.requireAllowed(floodOnly, client: client, server: server, port: 7001, workload: "gp")
        let denyAll = Policy(rules: [], defaultAction: .deny)
        let error = #expect(throws: LabFailure.self) {
            try FloodGoodputDriver.requireAllowed(denyAll, client: client, server: server, port: 7001, workload: "gp")
        }
        #expect(error?.description.hasPrefix("gp: the policy denies the good transactions (UDP 198.18.0.2 → \(server):7001)") == true)
    }

    /// A slow filter on the receive CPU pushes back on a veth sender (ENOBUFS): measured against it,
    /// the "ceiling" would be the filter's rate. The ceiling flood goes to nobody's MAC instead.
    @Test("the ceiling flood is addressed to a MAC no lab interface has, the measured flood to the next hop")
    func ceilingFloodAddress() {
        let shape = FloodAgents.Shape(sources: PacketRateSources(allowed: [], denied: [IPv4Address("198.19.255.32")!]),
                                      deniedShare: 1, payloadBytes: 18, rate: 0, durationSeconds: 0.3, cpu: 0)
        #expect(shape.destinationMAC == nil)
        let ceiling = FloodGoodputDriver.ceilingFlood(shape)
        #expect(ceiling.destinationMAC == FloodAgents.unclaimedMAC)
        #expect(MACAddress(FloodAgents.unclaimedMAC) != nil && !FloodAgents.unclaimedMAC.hasPrefix("02:62:6c"))
        #expect(ceiling.rate == 0 && ceiling.durationSeconds == 0.3 && ceiling.cpu == 0)
    }

    @Test("the transaction count bound never ends a run before its duration")
    func bounds() {
        let workload = FloodGoodputWorkload(floodShare: 1, durationSeconds: 2)
        #expect(workload.transactionBound == 2_000_000)
        #expect(workload.maximumSeconds >= workload.durationSeconds + FloodGoodputDriver.ceilingSeconds + FloodGoodputDriver.floodLeadSeconds)
        #expect(Workload(workload).requiredTools.isEmpty)
        #expect(FloodGoodputWorkload.primaryMetrics.map(\.name) == ["tps"])
    }
}
