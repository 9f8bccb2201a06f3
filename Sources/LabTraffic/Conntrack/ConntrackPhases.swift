import Foundation
import LabConntrack
import LabPolicy
import LabResults
import LabStats
import LabSystem

/// The phases of one `conntrack-gc` run, in order: fill, expire, churn race, table full. Each phase
/// reads the tracker through `ConnectionTracker` only, so nf_conntrack and the BPF trackers are
/// measured by the same code.
struct ConntrackPhases {
    let workload: ConntrackGCWorkload
    let context: TrafficContext
    let filter: FilterUnderTest

    /// Timeouts the phases wait on are the scenario's; past this they would make the run absurdly long.
    static let longestTimeoutWaited: Double = 120
    /// How long past the last expiry an LRU table is watched for a reclaim that never comes.
    static let lruGrace = 2.0
    /// How often the expire and recovery waits look at the table.
    static let poll = 0.2

    func run() throws -> [Sample] {
        guard let tracker = filter.tracker, let tracking = filter.policy.tracking else {
            // No tracker (the baseline): the fill alone, the generator's ceiling for this run.
            let fill = try ConntrackTraffic.fill(count: workload.fill, rate: workload.fillRate, name: workload.name,
                                                 filter: filter, context)
            return fillSamples(fill, entries: nil)
        }
        let timeouts = tracking.timeouts
        guard Double(max(timeouts.udp, timeouts.tcpClose)) <= Self.longestTimeoutWaited else {
            throw LabFailure("\(workload.name): the udp and tcp_close timeouts must be at most \(Int(Self.longestTimeoutWaited))s "
                             + "for the phases to wait them out (udp=\(timeouts.udp)s tcp_close=\(timeouts.tcpClose)s)")
        }
        var samples: [Sample] = []
        let logging = try tracker.startDeletionLog()
        defer { tracker.stop() }

        // Fill: N one-datagram UDP flows, each a new entry with the udp timeout.
        let before = try tracker.occupancy()
        let fill = try ConntrackTraffic.fill(count: workload.fill, rate: workload.fillRate, name: workload.name,
                                             filter: filter, context)
        let afterFill = try tracker.occupancy()
        samples += fillSamples(fill, entries: afterFill - before)

        // Expire: nothing is sent; the fill's flows expire `udp` seconds after their datagram.
        samples += try expire(tracker, fill: fill, timeout: timeouts.udp, baseline: before, logging: logging)

        if workload.churnRate > 0 { samples += try churn(tracker) }
        if workload.fullTable > 0 {
            // The churn's closed connections are expired entries the tracker may not have reclaimed
            // yet (nf_conntrack's GC waits up to a minute); they would count against the shrunken
            // table, which is the GC lag again, not the flood. Start the phase from a drained table.
            let start = try drain(tracker, to: before)
            samples.append(sample(ConntrackGCMetrics.fullStartEntries, Double(start)))
            samples += try tableFull(tracker, timeouts: timeouts)
        }
        return samples
    }

    private func sample(_ metric: MetricInfo, _ value: Double) -> Sample {
        Sample(workload: workload.name, metric: metric, value: value)
    }

    private func fillSamples(_ fill: FlowFillResult, entries: Int?) -> [Sample] {
        var samples = [sample(ConntrackGCMetrics.fillFlows, Double(fill.report.sent)),
                       sample(ConntrackGCMetrics.fillSeconds, fill.report.elapsedSeconds),
                       sample(ConntrackGCMetrics.fillRate, fill.flowsPerSecond)]
        if let entries { samples.append(sample(ConntrackGCMetrics.fillEntries, Double(entries))) }
        return samples
    }

    /// Waits until the table is back at `baseline` or `expireWait` after the last flow's expiry, then
    /// joins what the tracker says it deleted with when each flow expired.
    private func expire(_ tracker: any ConnectionTracker, fill: FlowFillResult, timeout: Int, baseline: Int,
                        logging: Bool) throws -> [Sample] {
        let idle = fill.idle(timeoutSeconds: timeout)
        let lastExpiry = idle.map(\.expiryNanoseconds).max() ?? MonotonicClock.nanoseconds()
        // An LRU map deletes nothing on its own: past a short grace, waiting longer only shows that again.
        let wait = tracker.kind == .bpfLRU ? min(workload.expireWaitSeconds, Self.lruGrace) : workload.expireWaitSeconds
        let deadline = lastExpiry &+ UInt64(wait * 1e9)
        let sweepsBefore = tracker.sweeps().count
        let cpuBefore = tracker.collectorCPUNanoseconds()
        let (occupancy, emptyAt) = try waitForDrain(tracker, to: baseline, notBefore: lastExpiry, deadline: deadline)
        var samples: [Sample] = [sample(ConntrackGCMetrics.entriesLeft, Double(max(0, occupancy - baseline)))]
        if let emptyAt {
            samples.append(sample(ConntrackGCMetrics.timeToEmpty, Double(emptyAt &- lastExpiry) / 1e9))
        }
        let sweeps = Array(tracker.sweeps().dropFirst(sweepsBefore))
        if !sweeps.isEmpty || tracker.kind == .bpfSwept {
            samples.append(sample(ConntrackGCMetrics.sweeps, Double(sweeps.count)))
            samples.append(sample(ConntrackGCMetrics.gcCPU, Double(tracker.collectorCPUNanoseconds() &- cpuBefore) / 1e6))
            if !sweeps.isEmpty {
                let mean = sweeps.map { Double($0.durationNanoseconds) }.reduce(0, +) / Double(sweeps.count) / 1e6
                samples.append(sample(ConntrackGCMetrics.sweepMs, mean))
            }
        }
        guard logging else { return samples }
        let deletions = try tracker.drainDeletions()
        let lag = GCLag.compute(idle: idle, deletions: deletions)
        samples.append(sample(ConntrackGCMetrics.lagUnseen, Double(lag.unseen)))
        let lags = lag.lagsSeconds.map { $0 * 1000 }.sorted()
        if !lags.isEmpty {
            samples.append(sample(ConntrackGCMetrics.lagP50, Quantile.of(sorted: lags, 0.5)))
            samples.append(sample(ConntrackGCMetrics.lagP99, Quantile.of(sorted: lags, 0.99)))
            samples.append(sample(ConntrackGCMetrics.lagMax, lags[lags.count - 1]))
            if let rate = lag.reclaimRate { samples.append(sample(ConntrackGCMetrics.reclaimRate, rate)) }
        }
        return samples
    }

    /// Waits (at most `expireWait`) until the table is back at `baseline` entries; returns the
    /// entries left. An LRU table, which reclaims nothing itself, is not waited for.
    private func drain(_ tracker: any ConnectionTracker, to baseline: Int) throws -> Int {
        guard tracker.kind != .bpfLRU else { return try tracker.occupancy() }
        let deadline = MonotonicClock.nanoseconds() &+ UInt64(workload.expireWaitSeconds * 1e9)
        return try waitForDrain(tracker, to: baseline, deadline: deadline).entries
    }

    /// Reads the table every `poll` until it holds at most `baseline` entries at or after `notBefore`,
    /// or `deadline` passes; returns the last count and when the table drained (nil if it did not).
    private func waitForDrain(_ tracker: any ConnectionTracker, to baseline: Int, notBefore: UInt64 = 0,
                              deadline: UInt64) throws -> (entries: Int, drainedAt: UInt64?) {
        while true {
            try Cancellation.shared.checkpoint()
            let entries = try tracker.occupancy()
            let now = MonotonicClock.nanoseconds()
            if entries <= baseline, now >= notBefore { return (entries, now) }
            if now >= deadline { return (entries, nil) }
            Thread.sleep(forTimeInterval: Self.poll)
        }
    }

    /// Short TCP connections at `churnRate` while the collector sweeps, beside long-lived flows.
    private func churn(_ tracker: any ConnectionTracker) throws -> [Sample] {
        let established = try ConntrackTraffic.Established(count: workload.established, interval: workload.establishedIntervalSeconds,
                                                           lifetime: workload.churnSeconds + 30,
                                                           name: "\(workload.name)-churn", filter: filter, context)
        let tally: ConntrackTraffic.ChurnTally
        do {
            tally = try ConntrackTraffic.churn(rate: workload.churnRate, seconds: workload.churnSeconds,
                                               name: "\(workload.name)-churn", filter: filter, context)
        } catch {
            _ = try? established.stop()
            throw error
        }
        let broken = try established.stop()
        var samples = [sample(ConntrackGCMetrics.churnAttempted, Double(tally.attempted)),
                       sample(ConntrackGCMetrics.churnRate, tally.seconds > 0 ? Double(tally.attempted) / tally.seconds : 0),
                       sample(ConntrackGCMetrics.churnBroken, Double(tally.failed)),
                       sample(ConntrackGCMetrics.churnEstablishedBroken, Double(broken))]
        if tally.attempted > 0 {
            samples.append(sample(ConntrackGCMetrics.churnBrokenPerMillion, 1e6 * Double(tally.failed) / Double(tally.attempted)))
        }
        return samples
    }

    /// Shrinks the table, keeps long-lived flows running, floods it with new UDP flows while probing
    /// new TCP connections, then times how long until a new connection succeeds again.
    private func tableFull(_ tracker: any ConnectionTracker, timeouts: ConntrackTimeouts) throws -> [Sample] {
        let hostBefore = HostConntrack.count()
        try tracker.resize(to: workload.fullTable)
        var samples: [Sample] = []
        do {
            let limit = try tracker.capacity()
            samples.append(sample(ConntrackGCMetrics.fullLimit, Double(limit)))
            let statsBefore = try tracker.statistics()
            let established = try ConntrackTraffic.Established(count: workload.established, interval: workload.establishedIntervalSeconds,
                                                               lifetime: workload.fullSeconds + 30,
                                                               name: "\(workload.name)-full", filter: filter, context)
            // The flood: twice the table in new flows, spread over the phase, on its own thread while
            // this one probes new TCP connections at a modest rate.
            let flood = ConntrackTraffic.Background {
                try ConntrackTraffic.fill(count: 2 * limit, rate: Int(Double(2 * limit) / workload.fullSeconds), seed: 2,
                                          name: "\(workload.name)-flood", filter: filter, context)
            }
            // Their own 5-tuples (seed 7): the churn phase's (seed 5) may still be in TIME_WAIT.
            let probes = Result {
                try ConntrackTraffic.churn(rate: 200, seconds: workload.fullSeconds, seed: 7, name: "\(workload.name)-full",
                                           filter: filter, context)
            }
            let floodResult = flood.wait()
            let broken = try established.stop()
            _ = try floodResult.get()
            let refused = try probes.get().failed
            let floodEnd = MonotonicClock.nanoseconds()
            let statsAfter = try tracker.statistics()
            func delta(_ name: String) -> Double {
                Double((statsAfter[name] ?? 0) &- (statsBefore[name] ?? 0))
            }
            samples.append(sample(ConntrackGCMetrics.fullRefused, Double(refused)))
            samples.append(sample(ConntrackGCMetrics.fullEstablishedBroken, Double(broken)))
            samples.append(sample(ConntrackGCMetrics.fullDrops, delta("drop") + delta("insert_failed") + delta("refused_full")))
            if tracker.kind == .nfConntrack || tracker.kind == .bpfKfunc {
                samples.append(sample(ConntrackGCMetrics.fullEarlyDrops, delta("early_drop")))
            }
            // Recovery: one new connection at a time until one succeeds, for at most the flood's
            // timeout plus the expire wait.
            let giveUp = floodEnd &+ UInt64((Double(timeouts.udp) + workload.expireWaitSeconds) * 1e9)
            var attempt = 0
            while MonotonicClock.nanoseconds() < giveUp {
                try Cancellation.shared.checkpoint()
                attempt += 1
                if try ConntrackTraffic.connects(attempt: attempt, name: "\(workload.name)-recovery", filter: filter, context) {
                    samples.append(sample(ConntrackGCMetrics.fullRecovery, Double(MonotonicClock.nanoseconds() &- floodEnd) / 1e9))
                    break
                }
                Thread.sleep(forTimeInterval: Self.poll)
            }
        } catch {
            try? tracker.resize(to: nil)
            throw error
        }
        try tracker.resize(to: nil)
        if let hostBefore { samples.append(sample(ConntrackGCMetrics.hostBefore, Double(hostBefore))) }
        if let hostAfter = HostConntrack.count() { samples.append(sample(ConntrackGCMetrics.hostAfter, Double(hostAfter))) }
        return samples
    }
}

/// The root namespace's own nf_conntrack entries (this process runs there).
enum HostConntrack {
    static func count() -> Int? {
        (try? String(contentsOfFile: "/proc/sys/net/netfilter/nf_conntrack_count", encoding: .utf8))
            .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}
