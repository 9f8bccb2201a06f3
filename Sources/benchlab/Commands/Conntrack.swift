import ArgumentParser
import LabNetlink
import LabSystem
import LabTopology

/// `benchlab conntrack <namespace>`: nf_conntrack's entry count and per-CPU statistics in a lab
/// namespace, read over ctnetlink the way a run reads them — printed as `conntrack -C` and
/// `conntrack -S` print theirs, so the two can be put side by side in a `benchlab up` lab.
struct ConntrackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conntrack",
        abstract: "Print nf_conntrack's entry count and per-CPU statistics in a lab namespace, as a run reads them.",
        discussion: "Compare with 'ip netns exec <namespace> conntrack -C' and '… conntrack -S' in a lab made by 'benchlab up'."
    )

    @Argument(help: "A lab namespace (its name starts with 'bl'; 'benchlab up' prints them).")
    var namespace: String

    func run() throws {
        try Privileges.requireRoot(for: "benchlab conntrack")
        guard namespace.hasPrefix(LabNames.prefix), Namespaces.exists(namespace) else {
            throw LabFailure("no lab namespace '\(namespace)' (see 'ip netns list'; lab namespaces start with '\(LabNames.prefix)')",
                             exitStatus: .badInput)
        }
        let reader = try ConntrackStatsReader(namespace: namespace)
        let count = try reader.tableCount()
        print("\(count.entries) entries (nf_conntrack_max \(count.maxEntries))")
        for cpu in try reader.perCPU() {
            print(Self.line(label: "cpu=\(cpu.cpu)", cpu.counters))
        }
    }

    /// One `conntrack -S` line: counters in its order.
    static func line(label: String, _ counters: [String: UInt64]) -> String {
        ([label] + ConntrackStatistic.names.map { "\($0)=\(counters[$0] ?? 0)" }).joined(separator: " ")
    }
}
