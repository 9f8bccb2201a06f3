import LabResults

/// The machine, the tools and the facts in effect: what a reader needs before trusting or comparing
/// the numbers (flent records the same beside its samples).
struct EnvironmentSection {
    let record: RunRecord

    var text: String {
        var out = "## Environment\n\n" + machine.text
        out += keyValues("Tool versions", ["tool", "version"], record.environment.tools)
        out += keyValues("Sysctls", ["sysctl", "value"], record.environment.sysctls)
        out += keyValues("Gates", ["gate", "in effect"], record.environment.gates)
        out += "\n## Caveats\n\n"
        out += record.environment.caveats.isEmpty
            ? "None recorded.\n"
            : record.environment.caveats.map { "- \($0)\n" }.joined()
        return out
    }

    private var machine: MarkdownTable {
        let environment = record.environment
        let scenario = record.scenario
        var table = MarkdownTable(headers: ["", ""])
        table.append(["host", environment.hostname])
        table.append(["kernel", environment.kernel])
        table.append(["CPU", environment.cpuModel])
        table.append(["cores", "\(environment.cpus)"])
        table.append(["memory", NumberText.bytes(environment.memoryBytes)])
        table.append(["topology", scenario.topology])
        table.append(["backends", scenario.backends.joined(separator: ", ")])
        table.append(["repeats", "\(scenario.repeats) counted + \(scenario.warmup) warm-up, interleaved"])
        for parameter in scenario.parameters {
            table.append(["parameter \(parameter.name)", parameter.values.joined(separator: ", ")])
        }
        return table
    }

    /// A two-column table sorted by key, or a line saying nothing was recorded.
    private func keyValues(_ title: String, _ headers: [String], _ values: [String: String]) -> String {
        let out = "\n### \(title)\n\n"
        guard !values.isEmpty else { return out + "None recorded.\n" }
        var table = MarkdownTable(headers: headers)
        for key in values.keys.sorted() { table.append([key, inlineCode(values[key]!)]) }
        return out + table.text
    }
}
