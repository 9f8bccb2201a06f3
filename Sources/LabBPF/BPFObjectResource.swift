#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// One object compiled by BPFObjectPlugin from bpf/PROGRAM.bpf.c and embedded in LabBPF's resources:
/// PROGRAM_VARIANT.bpf.o for a program built per hook (`// benchlab: variants xdp tc`), PROGRAM.bpf.o
/// for one built once.
public struct BPFObjectResource: Sendable, Hashable, CustomStringConvertible {
    /// The source's name: "filter" for bpf/filter.bpf.c.
    public let program: String
    /// "xdp", "tc", or nil for a program built once.
    public let variant: String?

    public init(program: String, variant: String? = nil) {
        self.program = program
        self.variant = variant
    }

    /// The object's file name: filter_xdp.bpf.o, pass_tc.bpf.o, …
    public var fileName: String { "\(variant.map { "\(program)_\($0)" } ?? program).bpf.o" }
    public var description: String { fileName }

    /// The object's bytes, for `BPFObject(elf:name:)`.
    public func elf() throws -> [UInt8] {
        guard let url = Bundle.module.url(forResource: String(fileName.dropLast(2)), withExtension: "o") else {
            throw BPFError("find \(fileName) in LabBPF's resources (rebuild with swift build)", errno: ENOENT)
        }
        do {
            return Array(try Data(contentsOf: url))
        } catch {
            throw BPFError("read \(url.path)", errno: (error as NSError).code == NSFileReadNoPermissionError ? EACCES : EIO)
        }
    }

    /// Opens the object (not yet loaded: maps and globals can still be sized and set).
    public func open() throws -> BPFObject {
        try BPFObject(elf: try elf(), name: fileName.replacingOccurrences(of: ".bpf.o", with: ""))
    }

    /// The names of every BPF object embedded in LabBPF (*.bpf.o), sorted.
    public static func embeddedFileNames() -> [String] {
        let urls = Bundle.module.urls(forResourcesWithExtension: "o", subdirectory: nil) ?? []
        return urls.compactMap { $0.lastPathComponent }.filter { $0.hasSuffix(".bpf.o") }.sorted()
    }
}
