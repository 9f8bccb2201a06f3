import Foundation
import LabPolicy
import LabSystem
import LabTopology

/// The nf_conntrack settings of a stateful policy, written in the policy namespace before its rules
/// are loaded. They are per-namespace sysctls: they die with the case's namespace, so nothing is
/// journaled and the host's own conntrack is never touched.
enum ConntrackSysctls {
    static let prefix = "net.netfilter.nf_conntrack_"

    /// Every sysctl with its value, in a stable order: each scenario timeout goes to the states it
    /// names (see `ConntrackTimeouts`); `tcp_loose=0` makes a TCP packet that does not open or
    /// continue a tracked flow invalid instead of picking it up mid-stream (the lab's definition of
    /// invalid); `timestamp=1` gives destroy events their start and stop times.
    static func values(_ tracking: ConnectionTracking) -> [(key: String, value: String)] {
        let timeouts = tracking.timeouts
        var values: [(String, Int)] = []
        for state in ["syn_sent", "syn_recv"] { values.append(("tcp_timeout_\(state)", timeouts.tcpSyn)) }
        values.append(("tcp_timeout_established", timeouts.tcpEstablished))
        for state in ["fin_wait", "close_wait", "last_ack", "time_wait", "close"] { values.append(("tcp_timeout_\(state)", timeouts.tcpClose)) }
        values.append(("udp_timeout", timeouts.udp))
        values.append(("udp_timeout_stream", timeouts.udp))
        values.append(("icmp_timeout", timeouts.icmp))
        values.append(("tcp_loose", 0))
        values.append(("timestamp", 1))
        return values.map { (prefix + $0.0, String($0.1)) }
    }

    /// Loads nf_conntrack when its sysctls are missing, writes `values` in `namespace`, and returns
    /// what the kernel then holds, for the installation's gates (read back, not assumed).
    static func apply(_ tracking: ConnectionTracking, in namespace: String) throws -> [String: String] {
        let values = values(tracking)
        if (try? NamespaceSysctls.read(values[0].key, in: namespace)) == nil {
            // Module load is global and harmless (no rule, no tracking until a ruleset asks for it).
            let result = try Subprocess.run(Command("modprobe", ["nf_conntrack"]), timeout: 30)
            guard result.succeeded, (try? NamespaceSysctls.read(values[0].key, in: namespace)) != nil else {
                throw LabFailure("a stateful policy needs nf_conntrack, and it cannot be loaded (modprobe nf_conntrack: "
                                 + "\(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))); the kernel needs CONFIG_NF_CONNTRACK",
                                 exitStatus: .missingFeature)
            }
        }
        try NamespaceSysctls.apply(values.map { ($0.key, $0.value) }, in: namespace)
        var gates: [String: String] = [:]
        for (key, _) in values { gates[key] = try NamespaceSysctls.read(key, in: namespace) }
        return gates
    }
}
