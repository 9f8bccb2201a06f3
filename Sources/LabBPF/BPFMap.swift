#if canImport(Glibc)
import Glibc
#endif
import CLibBPF

/// A map of a loaded BPFObject. Keys and values are Swift values whose memory layout is the map's
/// (structs imported from bpf/include/policy_maps.h, or fixed-width integers); sizes are checked
/// against the map definition, and a mismatch is a programming error, not an environment failure.
public struct BPFMap {
    let object: BPFObject
    let handle: OpaquePointer
    public let name: String

    init(object: BPFObject, handle: OpaquePointer, name: String) {
        self.object = object
        self.handle = handle
        self.name = name
    }

    var fd: Int32 { bpf_map__fd(handle) }
    public var keySize: Int { Int(bpf_map__key_size(handle)) }
    public var valueSize: Int { Int(bpf_map__value_size(handle)) }
    public var maxEntries: Int { Int(bpf_map__max_entries(handle)) }
    public var isPerCPU: Bool {
        [BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_LRU_PERCPU_HASH]
            .contains(bpf_map__type(handle))
    }

    public enum UpdateFlags: UInt64, Sendable {
        case any = 0      // BPF_ANY
        case noExist = 1  // BPF_NOEXIST
        case exist = 2    // BPF_EXIST
    }

    /// The value for `key`, nil when there is none (ENOENT).
    public func lookup<Key: BitwiseCopyable, Value: BitwiseCopyable>(_ key: Key, as _: Value.Type = Value.self) throws -> Value? {
        checkLayout(Key.self, Value.self)
        precondition(!isPerCPU, "\(name) is per-CPU: use lookupPerCPU")
        var key = key
        var value = Self.zeroed(Value.self)
        do {
            try libbpfCall("look up a key in map \(name)") { bpf_map_lookup_elem(fd, &key, &value) }
        } catch let error as BPFError where error.errno == ENOENT {
            return nil
        }
        return value
    }

    /// One value per possible CPU, in CPU order; nil when the key is absent.
    public func lookupPerCPU<Key: BitwiseCopyable, Value: BitwiseCopyable>(_ key: Key, as _: Value.Type = Value.self) throws -> [Value]? {
        checkLayout(Key.self, Value.self)
        precondition(isPerCPU, "\(name) is not per-CPU: use lookup")
        let cpus = try Self.possibleCPUs()
        // The kernel lays per-CPU values out at 8-byte strides (bpf_map_value_size in kernel/bpf/syscall.c).
        let stride = (MemoryLayout<Value>.size + 7) & ~7
        var buffer = [UInt8](repeating: 0, count: stride * cpus)
        var key = key
        do {
            try libbpfCall("look up a key in per-CPU map \(name)") {
                buffer.withUnsafeMutableBytes { bpf_map_lookup_elem(fd, &key, $0.baseAddress) }
            }
        } catch let error as BPFError where error.errno == ENOENT {
            return nil
        }
        return buffer.withUnsafeBytes { raw in
            (0..<cpus).map { raw.loadUnaligned(fromByteOffset: $0 * stride, as: Value.self) }
        }
    }

    public func update<Key: BitwiseCopyable, Value: BitwiseCopyable>(_ key: Key, _ value: Value, flags: UpdateFlags = .any) throws {
        checkLayout(Key.self, Value.self)
        var key = key
        var value = value
        try libbpfCall("update map \(name)") { bpf_map_update_elem(fd, &key, &value, flags.rawValue) }
    }

    /// Deletes `key`; false when it was not there.
    @discardableResult
    public func delete<Key: BitwiseCopyable>(_ key: Key) throws -> Bool {
        precondition(MemoryLayout<Key>.size == keySize, "key is \(MemoryLayout<Key>.size) bytes, \(name) wants \(keySize)")
        var key = key
        do {
            try libbpfCall("delete from map \(name)") { bpf_map_delete_elem(fd, &key) }
        } catch let error as BPFError where error.errno == ENOENT {
            return false
        }
        return true
    }

    /// Writes all pairs with BPF_MAP_UPDATE_BATCH: one syscall for the whole list instead of one per
    /// entry (the kernel walks the list itself, rescheduling between elements). On failure the error
    /// says how many entries were written before the one that failed.
    public func updateBatch<Key: BitwiseCopyable, Value: BitwiseCopyable>(keys: [Key], values: [Value], flags: UpdateFlags = .any) throws {
        checkLayout(Key.self, Value.self)
        precondition(keys.count == values.count, "batch of \(keys.count) keys and \(values.count) values")
        guard !keys.isEmpty else { return }
        var count = UInt32(keys.count)
        do {
            try LibBPFOptions.with(bpf_map_batch_opts.self, size: \.sz, { $0.elem_flags = flags.rawValue }) { options in
                try libbpfCall("batch-update \(keys.count) entries of map \(name)") {
                    keys.withUnsafeBytes { keyBytes in
                        values.withUnsafeBytes { valueBytes in
                            bpf_map_update_batch(fd, keyBytes.baseAddress, valueBytes.baseAddress, &count, options)
                        }
                    }
                }
            }
        } catch let error as BPFError {
            throw BPFError("\(error.operation) (\(count) written before the failure)", errno: error.errno, detail: error.detail)
        }
    }

    /// Deletes all `keys` with BPF_MAP_DELETE_BATCH (one syscall); every key must exist.
    public func deleteBatch<Key: BitwiseCopyable>(keys: [Key]) throws {
        precondition(MemoryLayout<Key>.size == keySize, "key is \(MemoryLayout<Key>.size) bytes, \(name) wants \(keySize)")
        guard !keys.isEmpty else { return }
        var count = UInt32(keys.count)
        try LibBPFOptions.with(bpf_map_batch_opts.self, size: \.sz, { _ in }) { options in
            try libbpfCall("batch-delete \(keys.count) entries of map \(name)") {
                keys.withUnsafeBytes { bpf_map_delete_batch(fd, $0.baseAddress, &count, options) }
            }
        }
    }

    /// Every (key, value) pair, read with BPF_MAP_LOOKUP_BATCH in chunks: a 131072-slot array is 32
    /// syscalls instead of 262144 (get-next-key plus lookup per entry).
    public func dump<Key: BitwiseCopyable, Value: BitwiseCopyable>(as _: Key.Type = Key.self, _: Value.Type = Value.self,
                                                                   chunk: Int = 4096) throws -> [(key: Key, value: Value)] {
        checkLayout(Key.self, Value.self)
        precondition(!isPerCPU, "\(name) is per-CPU: use lookupPerCPU")
        var result: [(key: Key, value: Value)] = []
        var keys = [Key](repeating: Self.zeroed(Key.self), count: chunk)
        var values = [Value](repeating: Self.zeroed(Value.self), count: chunk)
        // The batch cursor is opaque: a bucket or slot number for hash and array maps, a key for
        // the generic implementation (LPM trie). Key-sized and at least 8 bytes fits all of them.
        var cursorIn = [UInt8](repeating: 0, count: max(keySize, 8))
        var cursorOut = cursorIn
        var first = true
        return try LibBPFOptions.with(bpf_map_batch_opts.self, size: \.sz, { _ in }) { options in
        while true {
            var count = UInt32(chunk)
            var finished = false
            do {
                try libbpfCall("batch-read map \(name)") {
                    keys.withUnsafeMutableBytes { keyBytes in
                        values.withUnsafeMutableBytes { valueBytes in
                            cursorOut.withUnsafeMutableBytes { outBytes in
                                cursorIn.withUnsafeMutableBytes { inBytes in
                                    bpf_map_lookup_batch(fd, first ? nil : inBytes.baseAddress, outBytes.baseAddress,
                                                         keyBytes.baseAddress, valueBytes.baseAddress, &count, options)
                                }
                            }
                        }
                    }
                }
            } catch let error as BPFError where error.errno == ENOENT {
                finished = true // the walk is over; this last call's entries are still valid
            }
            for index in 0..<Int(count) { result.append((keys[index], values[index])) }
            if finished { return result }
            cursorIn = cursorOut
            first = false
        }
        }
    }

    /// Every key, in the kernel's iteration order (BPF_MAP_GET_NEXT_KEY from no key).
    public func keys<Key: BitwiseCopyable>(as _: Key.Type = Key.self) throws -> [Key] {
        precondition(MemoryLayout<Key>.size == keySize, "key is \(MemoryLayout<Key>.size) bytes, \(name) wants \(keySize)")
        var keys: [Key] = []
        var current: Key? = nil
        var next = Self.zeroed(Key.self)
        while true {
            do {
                try libbpfCall("iterate map \(name)") {
                    if var key = current { return bpf_map_get_next_key(fd, &key, &next) }
                    return bpf_map_get_next_key(fd, nil, &next)
                }
            } catch let error as BPFError where error.errno == ENOENT {
                break // past the last key
            }
            keys.append(next)
            current = next
        }
        return keys
    }

    /// Every (key, value) pair. A key deleted between the walk and the lookup is skipped.
    public func entries<Key: BitwiseCopyable, Value: BitwiseCopyable>(as _: Key.Type = Key.self, _: Value.Type = Value.self) throws -> [(key: Key, value: Value)] {
        try keys(as: Key.self).compactMap { key in try lookup(key, as: Value.self).map { (key, $0) } }
    }

    private func checkLayout<Key, Value>(_: Key.Type, _: Value.Type) {
        precondition(MemoryLayout<Key>.size == keySize, "key is \(MemoryLayout<Key>.size) bytes, \(name) wants \(keySize)")
        precondition(MemoryLayout<Value>.size == valueSize, "value is \(MemoryLayout<Value>.size) bytes, \(name) wants \(valueSize)")
    }

    static func zeroed<T: BitwiseCopyable>(_: T.Type) -> T {
        withUnsafeTemporaryAllocation(of: T.self, capacity: 1) { buffer in
            UnsafeMutableRawBufferPointer(buffer).initializeMemory(as: UInt8.self, repeating: 0)
            return buffer[0]
        }
    }

    static func possibleCPUs() throws -> Int {
        Int(try libbpfCall("count possible CPUs") { libbpf_num_possible_cpus() })
    }
}
