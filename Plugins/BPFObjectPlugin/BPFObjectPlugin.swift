import Foundation
import PackagePlugin

/// Compiles every BPF program (bpf/NAME.bpf.c) into its object files as part of `swift build`, so
/// the objects become resources of the target that uses the plugin (LabBPF reads them through
/// `Bundle.module`). No manual step, and a change to any file under bpf/ rebuilds them.
///
/// A program declares its builds in its own first lines: `// benchlab: variants xdp tc` builds
/// NAME_xdp.bpf.o with -DBL_VARIANT_XDP and NAME_tc.bpf.o with -DBL_VARIANT_TC (one body, a define
/// per hook, bpf/lib/variant.h); a program without that line builds one object, NAME.bpf.o.
///
/// Which clang: the BPF backend ships with the Swift toolchain's own clang, so the one next to
/// swiftc is preferred; `BENCHLAB_BPF_CLANG` overrides it, and PATH is the last resort.
@main
struct BPFObjectPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let bpf = context.package.directoryURL.appending(path: "bpf")
        let inputs = try Self.sources(under: bpf)
        let clang = try Self.clang(context)
        var common = ["-target", "bpf", "-mcpu=v3", "-O2", "-g", "-Wall", "-Wextra", "-Werror",
                      "-I", bpf.appending(path: "include").path, "-I", bpf.appending(path: "lib").path]
        // UAPI headers include <asm/types.h>, which Debian keeps in the multiarch directory; a
        // `-target bpf` compile does not search it on its own.
        if let multiarch = Self.multiarchInclude() { common += ["-idirafter", multiarch] }
        return try Self.programs(in: bpf).flatMap { program in
            try program.objects().map { object in
                let output = context.pluginWorkDirectoryURL.appending(path: object.file)
                return .buildCommand(
                    displayName: "Compiling BPF \(object.file)",
                    executable: clang,
                    arguments: common + object.defines.map { "-D\($0)" } + ["-c", program.source.path, "-o", output.path],
                    inputFiles: inputs,
                    outputFiles: [output])
            }
        }
    }

    /// The programs: bpf/*.bpf.c (not lib/ or include/, which hold what programs share), sorted.
    static func programs(in directory: URL) throws -> [BPFProgramSource] {
        let entries = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
        return try entries.filter { $0.lastPathComponent.hasSuffix(".bpf.c") }
            .sorted { $0.path < $1.path }
            .map { try BPFProgramSource(source: $0) }
    }

    /// Every .c and .h under bpf/, so editing a header rebuilds the objects.
    static func sources(under directory: URL) throws -> [URL] {
        guard let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else {
            throw PluginError("cannot list \(directory.path)")
        }
        return walker.compactMap { $0 as? URL }
            .filter { ["c", "h"].contains($0.pathExtension) }
            .sorted { $0.path < $1.path }
    }

    static func clang(_ context: PluginContext) throws -> URL {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["BENCHLAB_BPF_CLANG"], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit)
        }
        if let toolchain = try? context.tool(named: "clang") { return toolchain.url }
        let path = (environment["PATH"] ?? "").split(separator: ":").map(String.init)
        for directory in path + ["/opt/swift/usr/bin", "/usr/bin"] {
            let candidate = URL(fileURLWithPath: directory).appending(path: "clang")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw PluginError("no clang found (looked next to swiftc and in PATH); set BENCHLAB_BPF_CLANG to a clang with the BPF target")
    }

    static func multiarchInclude() -> String? {
        #if arch(x86_64)
        let triple = "x86_64-linux-gnu"
        #elseif arch(arm64)
        let triple = "aarch64-linux-gnu"
        #else
        let triple = ""
        #endif
        let directory = "/usr/include/\(triple)"
        return !triple.isEmpty && FileManager.default.fileExists(atPath: directory) ? directory : nil
    }
}

struct PluginError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
