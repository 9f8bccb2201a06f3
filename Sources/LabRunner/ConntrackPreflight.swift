import Foundation
import LabBackends
import LabPolicy
import LabResults
import LabScenario
import LabSystem
import LabTopology

/// The run-time checks of a stateful scenario (exit 4, nothing installed): the table must fit in
/// memory, and a netfilter case needs conntrack timestamps (the destroy events' times come from them).
public enum ConntrackPreflight {
    /// Bytes one nf_conntrack entry costs: the `nf_conntrack` slab object (struct nf_conn with its
    /// extensions, 320 B on x86_64 6.x kernels, see /proc/slabinfo) plus its hash bucket, rounded up.
    public static let netfilterBytesPerEntry = 384
    /// Bytes one entry of the lab's BPF conntrack map costs at most: the 5-tuple key, the entry's
    /// state, timestamps and counters, and the kernel's htab element header and per-CPU free-list
    /// share, rounded up.
    public static let bpfBytesPerEntry = 256
    /// Share of MemAvailable the tables may take: the rest is for the traffic, the tools and the host.
    public static let memoryShare = 0.5

    public static func check(scenario: Scenario, backends: Set<BackendKind>) throws {
        let stateful = scenario.variants.map(\.policy).filter(\.isStateful)
        guard !stateful.isEmpty else { return }
        let families = Set(scenario.backends.filter(backends.contains).map(\.family))
        let largest = stateful.compactMap { $0.tracking?.tableSize }.max() ?? 0
        if let problem = memoryProblem(tableSize: largest, netfilter: families.contains(.netfilter), bpf: families.contains(.ebpf),
                                       availableBytes: availableMemoryBytes()) {
            throw LabFailure(problem, exitStatus: .missingFeature)
        }
        if families.contains(.netfilter) { try requireTimestamps() }
    }

    /// The memory the largest table needs against what the host has; nil when it fits. Pure.
    public static func memoryProblem(tableSize: Int, netfilter: Bool, bpf: Bool, availableBytes: Int?) -> String? {
        guard let availableBytes else { return nil }
        let perEntry = (netfilter ? netfilterBytesPerEntry : 0) + (bpf ? bpfBytesPerEntry : 0)
        let needed = tableSize * perEntry
        let allowed = Int(Double(availableBytes) * memoryShare)
        guard needed > allowed else { return nil }
        var costs: [String] = []
        if netfilter { costs.append("\(netfilterBytesPerEntry) B per nf_conntrack entry") }
        if bpf { costs.append("\(bpfBytesPerEntry) B per BPF map entry") }
        return "conntrack table_size \(tableSize) needs about \(mebibytes(needed)) MiB (\(costs.joined(separator: " + "))), more than half of "
            + "this host's MemAvailable (\(mebibytes(availableBytes)) MiB); lower table_size to at most \(allowed / max(perEntry, 1))"
    }

    /// MemAvailable from /proc/meminfo, in bytes; nil when it cannot be read (the check is then skipped).
    static func availableMemoryBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return nil }
        return parseMemAvailable(text)
    }

    static func parseMemAvailable(_ text: String) -> Int? {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }) else { return nil }
        let fields = line.split(separator: " ")
        guard fields.count >= 2, let kibibytes = Int(fields[1]) else { return nil }
        return kibibytes * 1024
    }

    private static func mebibytes(_ bytes: Int) -> Int { (bytes + (1 << 20) - 1) >> 20 }

    /// In a throwaway namespace, after loading nf_conntrack: is there `nf_conntrack_timestamp`?
    static func requireTimestamps() throws {
        _ = try? Subprocess.run(Command("modprobe", ["nf_conntrack"]), timeout: 30)
        try Preflight.withProbeNamespace(command: "benchlab preflight") { namespace in
            guard (try? NamespaceSysctls.read("net.netfilter.nf_conntrack_timestamp", in: namespace)) != nil else {
                throw LabFailure("this kernel has no net.netfilter.nf_conntrack_timestamp (CONFIG_NF_CONNTRACK_TIMESTAMP), which a stateful "
                                 + "scenario on a netfilter backend needs for its destroy events", exitStatus: .missingFeature)
            }
        }
    }
}
