#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Finds programs on PATH (plus the sbin directories, which a non-login root shell may lack).
public enum ToolLocator {
    public static func path(of tool: String) -> String? {
        if tool.contains("/") { return access(tool, X_OK) == 0 ? tool : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/local/sbin", "/usr/sbin", "/sbin"]
        return directories.lazy.map { "\($0)/\(tool)" }.first { access($0, X_OK) == 0 }
    }

    public static func exists(_ tool: String) -> Bool { path(of: tool) != nil }

    /// Throws `ToolMissing` for the first tool that is not installed.
    public static func require(_ tools: [String]) throws {
        if let missing = tools.first(where: { !exists($0) }) { throw ToolMissing(tool: missing) }
    }
}

/// Whether benchlab runs with the privileges a lab needs.
public enum Privileges {
    public static var isRoot: Bool { geteuid() == 0 }

    public static func requireRoot(for what: String) throws {
        guard isRoot else {
            throw LabFailure("\(what) needs root (network namespaces, veth, netfilter, BPF): run it as root, e.g. with sudo",
                             exitStatus: .notPermitted)
        }
    }
}
