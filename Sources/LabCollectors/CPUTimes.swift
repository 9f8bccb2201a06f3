#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LabSystem

/// The aggregate "cpu" line of /proc/stat, in clock ticks. /proc/stat is not namespaced: it is the
/// whole machine, which is what "CPU per packet" must count (softirq work lands on whichever CPU).
public struct CPUTimes: Sendable, Equatable {
    public var user: UInt64
    public var nice: UInt64
    public var system: UInt64
    public var idle: UInt64
    public var iowait: UInt64
    public var irq: UInt64
    public var softirq: UInt64
    public var steal: UInt64

    public static func read() throws -> CPUTimes {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else {
            throw LabFailure("cannot read /proc/stat")
        }
        return try parse(text)
    }

    public static func parse(_ text: String) throws -> CPUTimes {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else {
            throw LabFailure("/proc/stat has no aggregate cpu line")
        }
        return try parseLine(line)
    }

    /// One "cpu…" line's ticks (the aggregate or one CPU's: they have the same fields).
    static func parseLine(_ line: Substring) throws -> CPUTimes {
        let values = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        guard values.count >= 8 else {
            throw LabFailure("/proc/stat \(line.prefix { $0 != " " }) line has \(values.count) fields, expected ≥ 8")
        }
        return CPUTimes(user: values[0], nice: values[1], system: values[2], idle: values[3], iowait: values[4],
                        irq: values[5], softirq: values[6], steal: values[7])
    }

    public var total: UInt64 { user + nice + system + idle + iowait + irq + softirq + steal }
    public var busy: UInt64 { total - idle - iowait }
}

/// CPU time spent between two snapshots, in milliseconds.
public struct CPUUsage: Sendable, Equatable {
    public var userMs: Double
    public var systemMs: Double
    public var softirqMs: Double
    public var busyRatio: Double

    public init(from before: CPUTimes, to after: CPUTimes, ticksPerSecond: Double = CPUUsage.ticksPerSecond) {
        let ms = 1000 / ticksPerSecond
        userMs = Double((after.user + after.nice) &- (before.user + before.nice)) * ms
        systemMs = Double(after.system &- before.system) * ms
        softirqMs = Double((after.softirq + after.irq) &- (before.softirq + before.irq)) * ms
        let total = after.total &- before.total
        busyRatio = total == 0 ? 0 : Double(after.busy &- before.busy) / Double(total)
    }

    public static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
}
