import LabNetwork
import LabTraffic
import Yams

/// Reads the settings of any workload kind from the fields it declares, with the defaults it
/// declares, then runs its cross-field checks. Each field kind maps to one typed read of ValueReader.
struct WorkloadSettingsReader {
    let reader: ValueReader
    let fields: MappingFields

    func read(_ kind: WorkloadKind) -> Workload? {
        let definition = kind.definition
        var entry = Entry(values: WorkloadValues(written: Set(fields.names)))
        // Every field is read (and reported) even after one fails, so one pass finds every mistake.
        let valid = definition.fields.map { read($0, into: &entry) }.allSatisfy { $0 }
        let issues = definition.conflicts(in: entry.values)
        for issue in issues { report(issue, entry) }
        guard valid, issues.isEmpty else { return nil }
        return Workload(definition.init(values: entry.values))
    }

    /// The values read so far and where sizes were written (a conflict is reported at its value).
    private struct Entry {
        var values: WorkloadValues
        var sites: [String: Site] = [:]
    }

    /// False when the field is present but invalid, or required and missing (already reported).
    private func read(_ field: WorkloadField, into entry: inout Entry) -> Bool {
        guard let node = field.presence == .required ? fields.required(field.key) : fields[field.key] else {
            if case .defaulted(let value) = field.presence { entry.values.values[field.key] = value }
            return field.presence != .required
        }
        guard let value = read(node, field, &entry) else { return false }
        entry.values.values[field.key] = value
        return true
    }

    private func report(_ issue: WorkloadFieldIssue, _ entry: Entry) {
        switch issue.place {
        case .value:
            if let site = entry.sites[issue.key] {
                reader.log.error(issue.message, at: site)
            } else {
                reader.log.error(issue.message, at: fields[issue.key]?.position ?? fields.position)
            }
        case .key:
            reader.log.error(issue.message, at: fields.keyPosition(issue.key) ?? fields.position)
        }
    }

    private func read(_ node: Node, _ field: WorkloadField, _ entry: inout Entry) -> WorkloadValue? {
        let name = subject(field.key)
        switch field.kind {
        case .transportProtocol:
            let proto: TransportProtocol? = reader.choice(node, name, noun: "protocol")
            return proto.map(WorkloadValue.transport)
        case .integer(let range):
            return reader.integer(node, name, in: range).map(WorkloadValue.integer)
        case .milliseconds(let range, let wholeSeconds):
            return reader.milliseconds(node, name, in: range, wholeSeconds: wholeSeconds).map(WorkloadValue.integer)
        case .bytes(let range):
            guard let size = reader.bytes(node, name, in: range) else { return nil }
            entry.values.texts[field.key] = size.value.text
            entry.sites[field.key] = size.value.site
            return .integer(size.bytes)
        case .bitsPerSecond:
            return reader.bitsPerSecond(node, name).map(WorkloadValue.integer)
        case .packetsPerSecond:
            return reader.packetsPerSecond(node, name).map(WorkloadValue.integer)
        case .share:
            return reader.share(node, name).map(WorkloadValue.number)
        case .number(let range):
            return reader.number(node, name, in: range).map(WorkloadValue.number)
        case .ipv4Prefix:
            guard let prefix = reader.prefix(node, name) else { return nil }
            entry.sites[field.key] = prefix.site
            return .prefix(prefix.prefix)
        case .boolean:
            return reader.boolean(node, name).map { WorkloadValue.boolean($0.value) }
        }
    }
}
