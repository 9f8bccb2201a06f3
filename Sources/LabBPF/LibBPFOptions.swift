/// libbpf's `*_opts` structs are versioned by their `sz` field, and libbpf refuses one whose bytes
/// past the fields it knows are not zero ("has non-zero extra bytes", OPTS_VALID in libbpf_internal.h).
/// Trailing padding counts: a Swift struct value copied field by field leaves it undefined, so the
/// options are built in place, in zeroed memory, and never copied afterwards.
enum LibBPFOptions {
    @discardableResult
    static func with<Options, Result>(_: Options.Type, size: WritableKeyPath<Options, Int>,
                                      _ configure: (inout Options) -> Void,
                                      _ body: (UnsafeMutablePointer<Options>) throws -> Result) rethrows -> Result {
        try withUnsafeTemporaryAllocation(of: Options.self, capacity: 1) { buffer in
            UnsafeMutableRawBufferPointer(buffer).initializeMemory(as: UInt8.self, repeating: 0)
            let options = buffer.baseAddress!
            options.pointee[keyPath: size] = MemoryLayout<Options>.size
            configure(&options.pointee)
            return try body(options)
        }
    }
}
