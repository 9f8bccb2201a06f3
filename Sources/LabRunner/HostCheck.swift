import Foundation
import LabBPF
import LabSystem
import LabTopology

/// One line of `benchlab check`.
public struct HostCheckItem: Sendable, Equatable {
    public var name: String
    public var available: Bool
    /// What was found ("6.18.44", "tcx", "3.12").
    public var detail: String
    /// How to get it when missing.
    public var hint: String

    public init(name: String, available: Bool, detail: String = "", hint: String = "") {
        self.name = name
        self.available = available
        self.detail = detail
        self.hint = hint
    }
}

/// What this host has, probed by trying it — in a throwaway namespace, never in the root namespace's
/// firewall — rather than inferred from a kernel version.
public enum HostCheck {
    public static let tools = ["ip", "iperf3", "nft", "iptables-legacy", "iptables-nft", "ipset", "bpftool", "clang", "conntrack", "gnuplot"]

    public static func run() -> [HostCheckItem] {
        var items: [HostCheckItem] = []
        let root = Privileges.isRoot
        items.append(HostCheckItem(name: "root", available: root, detail: root ? "uid 0" : "uid \(getuid())",
                                   hint: "run benchlab as root (sudo)"))
        items.append(HostCheckItem(name: "kernel", available: true, detail: EnvironmentKernel.release))
        items += kernelFiles()
        if root {
            items += namespaceProbes()
        } else {
            items.append(HostCheckItem(name: "namespace probes", available: false, detail: "skipped", hint: "needs root"))
        }
        for tool in tools {
            let path = ToolLocator.path(of: tool)
            items.append(HostCheckItem(name: "tool \(tool)", available: path != nil, detail: path ?? "not found",
                                       hint: "apt-get install \(ToolMissing.package(for: tool))"))
        }
        return items
    }

    static func kernelFiles() -> [HostCheckItem] {
        let btf = FileManager.default.fileExists(atPath: "/sys/kernel/btf/vmlinux")
        let jit = (try? String(contentsOfFile: "/proc/sys/net/core/bpf_jit_enable", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return [
            HostCheckItem(name: "BTF (/sys/kernel/btf/vmlinux)", available: btf, detail: btf ? "present" : "absent",
                          hint: "a kernel built with CONFIG_DEBUG_INFO_BTF"),
            HostCheckItem(name: "BPF JIT", available: jit == "1" || jit == "2", detail: jit.map { "bpf_jit_enable=\($0)" } ?? "unknown",
                          hint: "sysctl -w net.core.bpf_jit_enable=1 (interpreted BPF would distort every eBPF number)"),
        ]
    }

    /// Probes that need a namespace: netns+veth, netfilter flavours, ipset, conntrack.
    static func namespaceProbes() -> [HostCheckItem] {
        var items: [HostCheckItem] = []
        do {
            try Preflight.withProbeNamespace(command: "benchlab check") { namespace in
                items.append(HostCheckItem(name: "network namespaces + veth", available: true, detail: "created and removed a veth pair"))
                items += namespaceProbes(in: namespace)
            }
        } catch {
            items.append(HostCheckItem(name: "network namespaces + veth", available: false, detail: error.oneLine,
                                       hint: "a kernel with CONFIG_NET_NS and CONFIG_VETH (and a writable /run for benchlab's journal)"))
        }
        return items
    }

    static func namespaceProbes(in namespace: String) -> [HostCheckItem] {
        var items: [HostCheckItem] = []
        /// Runs `setup` (each must succeed) then the probe itself; the item reports the probe.
        func probe(_ name: String, _ tool: String, _ arguments: [String], after setup: [[String]] = [], hint: String) {
            guard ToolLocator.exists(tool) else {
                items.append(HostCheckItem(name: name, available: false, detail: "\(tool) not installed",
                                           hint: "apt-get install \(ToolMissing.package(for: tool))"))
                return
            }
            for step in setup { _ = try? Subprocess.run(Command(tool, step).inNamespace(namespace), timeout: 10) }
            let result = try? Subprocess.run(Command(tool, arguments).inNamespace(namespace), timeout: 10)
            let ok = result?.succeeded ?? false
            let detail = ok ? "works" : (result.map { $0.stderr.split(separator: "\n").first.map(String.init) ?? "exit \($0.status)" } ?? "did not run")
            items.append(HostCheckItem(name: name, available: ok, detail: detail, hint: hint))
        }
        items += bpfProbes(namespace: namespace)
        probe("nf_tables", "nft", ["add", "table", "inet", "blcheck"], hint: "a kernel with CONFIG_NF_TABLES")
        probe("iptables legacy (x_tables)", "iptables-legacy", ["-w", "-t", "filter", "-S"], hint: "a kernel with CONFIG_IP_NF_IPTABLES")
        // The drop-point ladder's rungs (issue 11): without them those cases are skipped at install.
        probe("iptables raw table", "iptables-legacy", ["-w", "-t", "raw", "-S"], hint: "a kernel with CONFIG_IP_NF_RAW (iptables-raw, iptables-notrack)")
        probe("iptables CT --notrack (xt_CT)", "iptables-legacy", ["-w", "-t", "raw", "-A", "PREROUTING", "-j", "CT", "--notrack"],
              hint: "a kernel with CONFIG_NETFILTER_XT_TARGET_CT (iptables-notrack)")
        probe("nftables netdev ingress", "nft",
              ["add", "chain", "netdev", "blcheck", "in", "{", "type", "filter", "hook", "ingress", "device", Preflight.probeInterfaces.0,
               "priority", "-500", ";", "}"],
              after: [["add", "table", "netdev", "blcheck"]], hint: "a kernel with CONFIG_NF_TABLES_NETDEV (nftables-ingress)")
        probe("iptables nft", "iptables-nft", ["-w", "-t", "filter", "-S"], hint: "a kernel with CONFIG_NF_TABLES and CONFIG_NFT_COMPAT")
        probe("ipset", "ipset", ["create", "blcheck", "hash:net"], hint: "a kernel with CONFIG_IP_SET_HASH_NET")
        probe("conntrack + ctnetlink", "conntrack", ["-L"], hint: "a kernel with CONFIG_NF_CONNTRACK and CONFIG_NF_CT_NETLINK")
        let timestamps = (try? NamespaceSysctls.read("net.netfilter.nf_conntrack_timestamp", in: namespace)) != nil
        items.append(HostCheckItem(name: "conntrack timestamps", available: timestamps,
                                   detail: timestamps ? "net.netfilter.nf_conntrack_timestamp present" : "sysctl absent",
                                   hint: "a kernel with CONFIG_NF_CONNTRACK_TIMESTAMP"))
        return items
    }

    /// Loads benchlab's own filter and attaches it, natively, to a veth in the probe namespace: the
    /// only honest answer to "does XDP run in the driver here, and is there tcx?".
    static func bpfProbes(namespace: String) -> [HostCheckItem] {
        var items: [HostCheckItem] = []
        let filter: BPFFilter
        do {
            filter = try BPFFilter(variant: .xdp, policy: .allowAll)
            items.append(HostCheckItem(name: "BPF syscall + verifier", available: true, detail: "loaded benchlab's XDP filter"))
        } catch {
            items.append(HostCheckItem(name: "BPF syscall + verifier", available: false, detail: error.oneLine,
                                       hint: "a kernel with CONFIG_BPF_SYSCALL, run as root"))
            return items
        }
        // The veth pair namespaceProbes already made and proved.
        let target = InterfaceTarget(interface: Preflight.probeInterfaces.0, namespace: namespace)
        do {
            let attachment = try filter.attachXDP(to: target, mode: .native)
            items.append(HostCheckItem(name: "native XDP on veth", available: true, detail: "attached in \(attachment.mode.rawValue) mode"))
            attachment.detach()
        } catch {
            items.append(HostCheckItem(name: "native XDP on veth", available: false, detail: error.oneLine,
                                       hint: "a kernel whose veth driver supports XDP (4.19+); xdp results would otherwise be generic-mode"))
        }
        do {
            let tcFilter = try BPFFilter(variant: .tc, policy: .allowAll)
            let hook = try tcFilter.attachTCIngress(to: target)
            let detail = hook.mechanism == .tcx ? "tcx" : "clsact (no tcx: \(hook.fallbackReason ?? "unknown"))"
            items.append(HostCheckItem(name: "tc ingress (tcx or clsact)", available: true, detail: detail))
            try? hook.detach()
        } catch {
            items.append(HostCheckItem(name: "tc ingress (tcx or clsact)", available: false, detail: error.oneLine,
                                       hint: "a kernel with CONFIG_NET_CLS_BPF / CONFIG_NET_XGRESS"))
        }
        return items
    }

    /// The table `benchlab check` prints.
    public static func render(_ items: [HostCheckItem]) -> String {
        let width = items.map(\.name.count).max() ?? 10
        return items.map { item in
            let mark = item.available ? "✓" : "✗"
            var line = "\(mark) \(item.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(item.detail)"
            if !item.available && !item.hint.isEmpty { line += " — \(item.hint)" }
            return line
        }.joined(separator: "\n")
    }
}

enum EnvironmentKernel {
    static var release: String {
        (try? String(contentsOfFile: "/proc/sys/kernel/osrelease", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown"
    }
}
