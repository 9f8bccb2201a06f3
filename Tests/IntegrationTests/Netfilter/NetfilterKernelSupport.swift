import Foundation
import LabBackends
import LabScenario
import LabSystem
import LabTestSupport
import LabTopology
import Testing

/// Whether this host can run a netfilter backend, found by trying what the backend needs in a
/// throwaway namespace — never from a version number, and never in the root namespace.
enum NetfilterKernelSupport {
    /// Cancels (skips) the running test, with the tool's own error line, when `kind` cannot run here.
    static func require(_ kind: BackendKind, journal: Journal) throws {
        if let reason = try missing(kind, journal: journal) {
            try Test.cancel("\(kind.rawValue) cannot run here: \(reason)")
        }
    }

    /// nil when every probe for `kind` works; else the first failure.
    static func missing(_ kind: BackendKind, journal: Journal) throws -> String? {
        let probe = probes(kind)
        if let tool = probe.tools.first(where: { !ToolLocator.exists($0) }) {
            return "\(tool) is not installed (apt-get install \(ToolMissing.package(for: tool)))"
        }
        let namespace = "\(LabNames.prefix)-\(journal.id)-nfprobe"
        try journal.record(.deleteNamespace(namespace))
        try Subprocess.run(Command("ip", ["netns", "add", namespace]), timeout: 10).requireSuccess("create a probe namespace")
        defer { _ = try? Subprocess.run(Command("ip", ["netns", "delete", namespace]), timeout: 10) }
        for command in probe.commands {
            let result = try Subprocess.run(Command(command[0], Array(command.dropFirst())).inNamespace(namespace), timeout: 20)
            if !result.succeeded {
                let line = result.stderr.split(whereSeparator: \.isNewline).first.map(String.init) ?? "exit \(result.status)"
                return "`\(command.joined(separator: " "))` failed: \(line)"
            }
        }
        return nil
    }

    /// The tools and the smallest commands that exercise each kernel feature a backend uses.
    static func probes(_ kind: BackendKind) -> (tools: [String], commands: [[String]]) {
        switch kind {
        case .iptablesLegacy, .iptablesNft:
            let variant = kind == .iptablesLegacy ? "legacy" : "nft"
            return (["iptables-\(variant)", "iptables-\(variant)-restore", "iptables-\(variant)-save"],
                    [["iptables-\(variant)", "-w", "-t", "filter", "-A", "INPUT", "-i", "lo", "-p", "udp", "-m", "udp", "--dport", "9", "-j", "ACCEPT"]])
        case .iptablesIpset:
            // xt_set through nft_compat: the match the backend's rules use.
            return (["ipset", "iptables-nft", "iptables-nft-restore", "iptables-nft-save"],
                    [["ipset", "create", "blprobe", "hash:net"],
                     ["iptables-nft", "-w", "-t", "filter", "-A", "INPUT", "-m", "set", "--match-set", "blprobe", "src", "-j", "ACCEPT"]])
        case .nftables:
            // Interval sets with auto-merge, and JSON output (counters are read with `nft -j`).
            return (["nft"], [["nft", "add table ip blprobe; add set ip blprobe s { type ipv4_addr; flags interval; auto-merge; }"],
                              ["nft", "-j", "list", "ruleset"]])
        case .iptablesRaw, .iptablesNotrack:
            // The raw table, and for NOTRACK the CT target (xt_CT, which enables conntrack in the namespace).
            let target = kind == .iptablesRaw ? ["ACCEPT"] : ["CT", "--notrack"]
            return (["iptables-legacy", "iptables-legacy-restore", "iptables-legacy-save", "conntrack"],
                    [["iptables-legacy", "-w", "-t", "raw", "-A", "PREROUTING", "-i", "lo", "-j"] + target])
        case .nftablesPrerouting, .nftablesIngress:
            let chain = kind == .nftablesPrerouting ? "add table ip blprobe; add chain ip blprobe c { type filter hook prerouting priority raw; }"
                : "add table netdev blprobe; add chain netdev blprobe c { type filter hook ingress device \"lo\" priority -500; }"
            return (["nft"], [["nft", chain], ["nft", "-j", "list", "ruleset"]])
        default:
            return ([], [])
        }
    }
}
