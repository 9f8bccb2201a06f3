import LabPolicy
import Yams

/// Reads the top-level `conntrack:` of a stateful scenario — per-protocol timeouts, the table size
/// and the swept tracker's sweep settings — into the `ConnectionTracking` every tracker is given.
/// Missing keys keep their defaults (the kernel's timeouts, `ConnectionTracking`'s size and sweep).
///
///     conntrack:
///       timeouts: {tcp_syn: 5s, tcp_established: 10m, tcp_close: 5s, udp: 10s, icmp: 5s}
///       table_size: 65536
///       sweep: {mode: adaptive, interval: 1s, floor: 100ms, ceiling: 10s}
struct ConntrackReader {
    let reader: ValueReader

    static let keys = ScenarioFields.conntrack.keys
    static let timeoutKeys = ScenarioFields.conntrackTimeouts.keys
    static let sweepKeys = ScenarioFields.conntrackSweep.keys

    func read(_ node: Node) -> ConnectionTracking? {
        guard let fields = reader.mapping(node, subject("conntrack"), keys: Self.keys, context: "'conntrack'") else { return nil }
        let defaults = ConnectionTracking()
        let timeouts = fields.value("timeouts", default: defaults.timeouts, timeouts)
        let tableSize = fields.value("table_size", default: defaults.tableSize) {
            reader.integer($0, subject("table_size"), in: ConnectionTracking.tableSizeRange)
        }
        let sweep = fields.value("sweep", default: defaults.sweep, sweep)
        guard let timeouts, let tableSize, let sweep else { return nil }
        return ConnectionTracking(timeouts: timeouts, tableSize: tableSize, sweep: sweep)
    }

    private func timeouts(_ node: Node) -> ConntrackTimeouts? {
        guard let fields = reader.mapping(node, subject("timeouts"), keys: Self.timeoutKeys, context: "'timeouts'") else { return nil }
        let defaults = ConntrackTimeouts.kernelDefaults
        let read = { (key: String, fallback: Int) in fields.value(key, default: fallback) { seconds($0, subject(key)) } }
        let tcpSyn = read("tcp_syn", defaults.tcpSyn)
        let established = read("tcp_established", defaults.tcpEstablished)
        let tcpClose = read("tcp_close", defaults.tcpClose)
        let udp = read("udp", defaults.udp)
        let icmp = read("icmp", defaults.icmp)
        guard let tcpSyn, let established, let tcpClose, let udp, let icmp else { return nil }
        return ConntrackTimeouts(tcpSyn: tcpSyn, tcpEstablished: established, tcpClose: tcpClose, udp: udp, icmp: icmp)
    }

    /// A timeout as a duration in whole seconds, within `ConntrackTimeouts.range`.
    private func seconds(_ node: Node, _ subject: String) -> Int? {
        let range = ConntrackTimeouts.range
        guard let milliseconds = reader.milliseconds(node, subject, in: range.lowerBound * 1000...range.upperBound * 1000) else {
            return nil
        }
        guard milliseconds % 1000 == 0 else {
            // Checked after the range, so the value's site is found again from the scalar.
            if case .scalar = node, let value = reader.scalar(node, subject, expected: "a duration") {
                reader.log.error("\(subject) must be whole seconds (conntrack keeps timeouts in seconds), got \(excerpt(value.text))",
                                 at: value.site)
            }
            return nil
        }
        return milliseconds / 1000
    }

    private func sweep(_ node: Node) -> SweepSettings? {
        guard let fields = reader.mapping(node, subject("sweep"), keys: Self.sweepKeys, context: "'sweep'") else { return nil }
        let defaults = SweepSettings.adaptiveDefault
        let mode = fields.value("mode", default: defaults.mode) { reader.choice($0, subject("mode"), noun: "sweep mode") }
        let interval = fields.value("interval", default: defaults.intervalMilliseconds) {
            reader.milliseconds($0, subject("interval"), in: SweepSettings.range)
        }
        let floor = fields.value("floor", default: defaults.floorMilliseconds) { reader.milliseconds($0, subject("floor"), in: SweepSettings.range) }
        let ceiling = fields.value("ceiling", default: defaults.ceilingMilliseconds) {
            reader.milliseconds($0, subject("ceiling"), in: SweepSettings.range)
        }
        guard let mode, let interval, let floor, let ceiling else { return nil }
        let format = Quantity.formatMilliseconds
        guard floor <= ceiling else {
            reader.log.error("'sweep' floor (\(format(floor))) must not exceed its ceiling (\(format(ceiling)))",
                             at: fields.keyPosition("floor") ?? fields.keyPosition("ceiling") ?? fields.position)
            return nil
        }
        guard (floor...ceiling).contains(interval) else {
            reader.log.error("'sweep' interval (\(format(interval))) must lie between its floor (\(format(floor))) and ceiling (\(format(ceiling)))",
                             at: fields.keyPosition("interval") ?? fields.position)
            return nil
        }
        return SweepSettings(mode: mode, intervalMilliseconds: interval, floorMilliseconds: floor, ceilingMilliseconds: ceiling)
    }
}
