#if canImport(Glibc)
import Glibc
#endif
import CLabShims
import Foundation
import LabSystem
import LabTopology

/// Moves the receive processing of the filter point's ingress interface onto one stated CPU, as a
/// NIC's RSS would, instead of the sending CPU where veth runs it. Two per-device settings, both
/// written inside the namespace (`ip netns exec` remounts /sys there), both restored afterwards so
/// the next case in the same lab starts as it always has:
///
/// - RPS (`queues/rx-0/rps_cpus`): veth hands each packet to `netif_rx`, which enqueues it on the
///   backlog of the CPU RPS names, so the whole stack — tc ingress, netfilter, the socket — runs
///   there in softirq.
/// - threaded NAPI (`threaded`) with each `napi/<if>-<id>` kthread pinned to the CPU: with XDP
///   attached, veth receives through NAPI, scheduled on the sending CPU (RPS only applies after
///   XDP has run); threaded, the poll (XDP included) runs in that kthread instead. Veth has a NAPI
///   instance only with XDP attached (or GRO on), so elsewhere this part reports "no NAPI".
///
/// Measured on 6.18 (2 CPUs, flood pinned to CPU 0, per-CPU /proc/stat around a 2 s flood): without
/// steering CPU 1's softirq stayed at 0–1 ticks; with RPS to CPU 1 it took 18 of the ticks and CPU 0
/// kept 4–5; with XDP attached and threaded NAPI pinned to CPU 1 the poll ran as CPU 1's system time
/// (the kthread's stime rose by 11 ticks for 65k packets) and neither CPU's softirq rose.
/// No global knob is touched: nothing to journal.
public struct ReceiveSteering: Sendable, Equatable {
    public var namespace: String
    public var interface: String
    public var cpu: Int

    public init(namespace: String, interface: String, cpu: Int) {
        self.namespace = namespace
        self.interface = interface
        self.cpu = cpu
    }

    public init(filterPoint: FilterPoint, cpu: Int) {
        self.init(namespace: filterPoint.namespace, interface: filterPoint.ingressInterface, cpu: cpu)
    }

    /// What was set, for the workload's output, and what to put back.
    public struct Applied: Sendable, Equatable {
        public var steering: ReceiveSteering
        var previousRPS: String
        var previousThreaded: String?
        /// NAPI kthreads pinned to the CPU (none when the interface has no NAPI instance).
        public var napiThreads: [Int32]

        /// One line for the report: "rps=cpu1 napi=threaded,1 kthread on cpu1" or "… napi=none".
        public var description: String {
            let napi = napiThreads.isEmpty ? "none (no XDP/GRO on \(steering.interface))"
                : "threaded, \(napiThreads.count) kthread(s) on cpu\(steering.cpu)"
            return "receive of \(steering.interface) on cpu\(steering.cpu): rps=cpu\(steering.cpu) napi=\(napi)"
        }
    }

    /// The rps_cpus mask selecting `cpu` alone, as the kernel writes it (hex, 32-bit groups by commas).
    public static func rpsMask(cpu: Int) -> String {
        precondition(cpu >= 0, "CPU numbers are not negative")
        var groups: [String] = []
        for group in 0...(cpu / 32) {
            let bits: UInt32 = group == cpu / 32 ? 1 << UInt32(cpu % 32) : 0
            groups.append(String(format: "%08x", bits))
        }
        return groups.reversed().joined(separator: ",")
    }

    /// NAPI kthreads of `interface` among (pid, comm) pairs: comm is "napi/<interface>-<napi id>"
    /// (6.18 keeps the full name of a kthread in /proc/<pid>/comm).
    public static func napiThreads(of interface: String, among tasks: [(pid: Int32, comm: String)]) -> [Int32] {
        let prefix = "napi/\(interface)-"
        return tasks.filter { task in
            task.comm.hasPrefix(prefix) && !task.comm.dropFirst(prefix.count).isEmpty
                && task.comm.dropFirst(prefix.count).allSatisfy(\.isNumber)
        }.map(\.pid)
    }

    public func apply() throws -> Applied {
        let rpsPath = "/sys/class/net/\(interface)/queues/rx-0/rps_cpus"
        let threadedPath = "/sys/class/net/\(interface)/threaded"
        let previousRPS = try read(rpsPath)
        try write(Self.rpsMask(cpu: cpu), to: rpsPath)
        var applied = Applied(steering: self, previousRPS: previousRPS, previousThreaded: nil, napiThreads: [])
        // Threaded NAPI is refused (EIO) while the device has no NAPI instance: that is veth without XDP.
        if let previous = try? read(threadedPath), (try? write("1", to: threadedPath)) != nil {
            applied.previousThreaded = previous
            applied.napiThreads = Self.napiThreads(of: interface, among: Self.kernelTasks())
            for pid in applied.napiThreads {
                try systemCall("pin NAPI kthread \(pid) of \(interface) to CPU \(cpu)") { lab_set_task_cpu(pid, Int32(cpu)) }
            }
        }
        return applied
    }

    /// Puts back what `apply` changed; best effort (the namespace may already be gone with the lab).
    public static func restore(_ applied: Applied) {
        let steering = applied.steering
        for pid in applied.napiThreads { _ = lab_set_task_cpu(pid, -1) }
        if let previous = applied.previousThreaded {
            try? steering.write(previous, to: "/sys/class/net/\(steering.interface)/threaded")
        }
        try? steering.write(applied.previousRPS, to: "/sys/class/net/\(steering.interface)/queues/rx-0/rps_cpus")
    }

    private func read(_ path: String) throws -> String {
        let result = try Subprocess.run(Command("cat", [path]).inNamespace(namespace), timeout: 10)
        try result.requireSuccess("read \(path) in \(namespace)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func write(_ value: String, to path: String) throws {
        // The path and value are ours (interface names and hex digits), never user text.
        let result = try Subprocess.run(Command("sh", ["-c", "echo \(value) > \(path)"]).inNamespace(namespace),
                                        timeout: 10, cancellable: false)
        try result.requireSuccess("write \(value) to \(path) in \(namespace)")
    }

    /// (pid, comm) of every task in /proc; kthreads are visible from any namespace.
    static func kernelTasks() -> [(pid: Int32, comm: String)] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry in
            guard let pid = Int32(entry),
                  let comm = try? String(contentsOfFile: "/proc/\(entry)/comm", encoding: .utf8) else { return nil }
            return (pid, comm.trimmingCharacters(in: .newlines))
        }
    }
}
