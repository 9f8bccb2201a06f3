#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LabResults
import LabSystem

/// Describes the machine for run.json: what a reader needs to decide whether two runs compare.
public enum EnvironmentProbe {
    /// Sysctls that change results. Read, never written, here.
    public static let sysctls = [
        "net.core.bpf_jit_enable", "net.core.bpf_jit_harden", "kernel.bpf_stats_enabled",
        "net.netfilter.nf_conntrack_max", "net.netfilter.nf_conntrack_buckets",
        "net.core.rmem_max", "net.core.wmem_max", "net.core.default_qdisc",
        "net.ipv4.tcp_congestion_control", "net.core.netdev_max_backlog",
    ]

    /// Tools and the argument that makes each print its version.
    public static let tools: [(String, [String])] = [
        ("iperf3", ["--version"]), ("ip", ["-V"]), ("nft", ["--version"]), ("iptables-legacy", ["--version"]),
        ("iptables-nft", ["--version"]), ("ipset", ["--version"]), ("bpftool", ["version"]), ("clang", ["--version"]),
        ("conntrack", ["--version"]), ("gnuplot", ["--version"]),
    ]

    public static func capture() -> EnvironmentRecord {
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let host = withUnsafeBytes(of: name.nodename) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return EnvironmentRecord(hostname: host, kernel: release, cpuModel: cpuModel(), cpus: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))),
                                 memoryBytes: memoryBytes(), tools: toolVersions(), sysctls: readSysctls())
    }

    static func cpuModel() -> String {
        let text = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let line = text.split(separator: "\n").first { $0.hasPrefix("model name") }
        return line.flatMap { $0.split(separator: ":", maxSplits: 1).last }.map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
    }

    static func memoryBytes() -> UInt64 {
        let text = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8)) ?? ""
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemTotal:") }),
              let kb = line.split(separator: " ").compactMap({ UInt64($0) }).first else { return 0 }
        return kb * 1024
    }

    public static func readSysctls() -> [String: String] {
        var values: [String: String] = [:]
        for key in sysctls {
            let path = "/proc/sys/" + key.replacingOccurrences(of: ".", with: "/")
            if let text = try? String(contentsOfFile: path, encoding: .utf8) {
                values[key] = text.trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }
        return values
    }

    /// The first line each tool prints for its version; absent tools are left out.
    public static func toolVersions() -> [String: String] {
        var versions: [String: String] = [:]
        for (tool, arguments) in tools {
            guard let result = try? Subprocess.run(Command(tool, arguments), timeout: 5) else { continue }
            let text = result.stdout.isEmpty ? result.stderr : result.stdout
            if let line = text.split(separator: "\n").first { versions[tool] = String(line).trimmingCharacters(in: .whitespaces) }
        }
        return versions
    }
}
