#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LabSystem

/// The bpffs mount under which `benchlab up` pins BPF links so they outlive the process. It is
/// benchlab's own mount (not /sys/fs/bpf, which a host may not have mounted, and whose pins are the
/// host's business); it is mounted when a lab first needs it and unmounted by `down`/`clean` once
/// no pin is left.
public enum BPFPinRoot {
    public static var path: String { LabNames.pinDirectory }

    public static var isMounted: Bool { mountedBPFFS(in: (try? String(contentsOfFile: "/proc/mounts", encoding: .utf8)) ?? "", at: path) }

    public static func ensureMounted() throws {
        guard !isMounted else { return }
        try AtomicFile.makeDirectory(path)
        try Subprocess.run(Command("mount", ["-t", "bpf", "bpf", path]), timeout: 10, cancellable: false)
            .requireSuccess("mount benchlab's bpffs at \(path)")
    }

    /// Unmounts the pin root and removes its mount point when nothing is pinned in it any more;
    /// returns whether it did.
    @discardableResult
    public static func unmountIfEmpty() -> Bool {
        guard isMounted, pinnedEntries(in: path).isEmpty else { return false }
        let result = try? Subprocess.run(Command("umount", [path]), timeout: 10, cancellable: false)
        guard result?.succeeded == true else { return false }
        // The mount point was made by ensureMounted; an empty directory left in /run is still litter.
        rmdir(path)
        return true
    }

    /// The entries under `directory` that something pinned: a bpffs mount may also show the kernel's
    /// own iterator files (maps.debug, progs.debug, from bpf_preload), which are not ours to remove.
    public static func pinnedEntries(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { !$0.hasSuffix(".debug") }.sorted()
    }

    /// Whether /proc/mounts lists a bpf filesystem mounted at `path`.
    public static func mountedBPFFS(in mounts: String, at path: String) -> Bool {
        mounts.split(separator: "\n").contains { line in
            let fields = line.split(separator: " ")
            return fields.count > 2 && fields[1] == path && fields[2] == "bpf"
        }
    }
}
