import Foundation
import LabSystem

/// The per-CPU "cpuN" lines of /proc/stat, in clock ticks, keyed by CPU number. The aggregate line
/// cannot say *which* CPU did the work, and on veth that is the question: the receive path runs on
/// the sending CPU unless it is steered elsewhere (`ReceiveSteering`), so its cost is read on the
/// CPU it was steered to.
public enum PerCPUTimes {
    public static func read() throws -> [Int: CPUTimes] {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else {
            throw LabFailure("cannot read /proc/stat")
        }
        return try parse(text)
    }

    public static func parse(_ text: String) throws -> [Int: CPUTimes] {
        var times: [Int: CPUTimes] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("cpu") {
            let label = line.prefix { $0 != " " }
            // "cpu" alone is the aggregate; "cpuN" is one CPU.
            guard let cpu = Int(label.dropFirst(3)) else { continue }
            times[cpu] = try CPUTimes.parseLine(line)
        }
        guard !times.isEmpty else { throw LabFailure("/proc/stat has no per-CPU cpuN line") }
        return times
    }
}

/// One CPU's time between two snapshots: what the receive-side cost metrics are made of.
public struct OneCPUUsage: Sendable, Equatable {
    /// softirq + irq, system, user + nice, and busy (all but idle and iowait), in nanoseconds.
    public var softirqNs: Double
    public var systemNs: Double
    public var userNs: Double
    public var busyNs: Double
    /// busy / all ticks of this CPU over the interval (steal counts as not ours: it is in the total).
    public var busyRatio: Double

    public init(from before: CPUTimes, to after: CPUTimes, ticksPerSecond: Double = CPUUsage.ticksPerSecond) {
        // The same deltas as the machine-wide collector's, in nanoseconds.
        let usage = CPUUsage(from: before, to: after, ticksPerSecond: ticksPerSecond)
        softirqNs = usage.softirqMs * 1e6
        systemNs = usage.systemMs * 1e6
        userNs = usage.userMs * 1e6
        let ns = 1e9 / ticksPerSecond
        // Steal is time the hypervisor ran someone else: not this CPU's work, so not "busy" here.
        let busyTicks = (after.busy &- after.steal) &- (before.busy &- before.steal)
        busyNs = Double(busyTicks) * ns
        let total = after.total &- before.total
        busyRatio = total == 0 ? 0 : Double(busyTicks) / Double(total)
    }

    /// softirq / busy: how much of the CPU's work was the packet path's softirq (0 when idle).
    public var softirqShare: Double { busyNs > 0 ? softirqNs / busyNs : 0 }
}
