#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Writes files so that a reader (or a crash) sees either the old content or the new, never half:
/// temp file in the same directory, fsync, rename over the target, fsync the directory.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let temp = "\(directory.isEmpty ? "." : directory)/.\((path as NSString).lastPathComponent).tmp-\(getpid())"
        let fd = try systemCall("create \(temp)") { open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
        do {
            try data.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let n = try systemCall("write \(temp)") { Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset) }
                    offset += n
                }
            }
            try systemCall("fsync \(temp)") { fsync(fd) }
            close(fd)
            try systemCall("rename \(temp) to \(path)") { rename(temp, path) }
        } catch {
            close(fd)
            unlink(temp)
            throw error
        }
        let dirfd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirfd >= 0 {
            fsync(dirfd)
            close(dirfd)
        }
    }

    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }

    /// mkdir -p with a clear error.
    public static func makeDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw LabFailure("cannot create directory \(path): \(error.localizedDescription)")
        }
    }
}
