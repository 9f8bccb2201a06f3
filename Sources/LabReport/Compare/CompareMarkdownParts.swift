/// The pieces both comparison modes print the same way (baseline and A/B Markdown).
enum CompareMarkdownParts {
    /// One row per side of the comparison: which run, on which machine, built from what.
    static func machines(_ sides: [(role: String, machine: MachineSummary)]) -> MarkdownTable {
        var table = MarkdownTable(headers: ["", "run", "host", "kernel", "CPU", "cores", "memory", "benchlab"])
        for (role, machine) in sides {
            table.append([role, inlineCode(machine.runId), machine.hostname, machine.kernel, machine.cpuModel,
                          "\(machine.cpus)", NumberText.bytes(machine.memoryBytes), machine.benchlabVersion])
        }
        return table
    }

    /// Cases only one side has, as a titled list; nothing when there are none.
    static func missing(_ title: String, _ labels: [String]) -> String {
        guard !labels.isEmpty else { return "" }
        return "\n\(title):\n\n" + labels.map { "- \($0)\n" }.joined()
    }
}
