#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LabSystem

/// The named network namespaces of the host (`ip netns`), read from /run/netns.
public enum Namespaces {
    public static func exists(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: NetworkNamespace.path(name))
    }

    /// Stops every process running in namespace `name` (TERM, short grace, KILL).
    public static func killProcesses(in name: String) {
        guard let result = try? Subprocess.run(Command("ip", ["netns", "pids", name]), timeout: 10, cancellable: false), result.succeeded else { return }
        ProcessStopper.stop(result.stdout.split(whereSeparator: \.isWhitespace).compactMap { Int32($0) })
    }

    public static func all() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? []).sorted()
    }

    public static func labNamespaces() -> [String] { all().filter(LabNames.isLabName) }

    /// Links in the root namespace with a lab name (none should exist: links are created directly
    /// inside their namespaces; a leftover means something went wrong).
    public static func labRootLinks() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/sys/class/net")) ?? []).filter(LabNames.isLabName).sorted()
    }
}
