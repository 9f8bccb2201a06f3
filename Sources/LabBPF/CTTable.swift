#if canImport(Glibc)
import Glibc
#endif
import CLibBPF
import LabNetwork

/// One connection table of the stateful filter: a hash (LRU or plain) created here, outside any
/// object, so a fresh one can be put under the running program (CTFilter.replaceTable). Owns the fd.
/// Reads and deletions use the batch commands (BPF_MAP_LOOKUP_BATCH, BPF_MAP_DELETE_BATCH): a sweep
/// of 256k entries is ~64 syscalls instead of half a million.
public final class CTTable: @unchecked Sendable {
    public let kind: CTTableKind
    public let capacity: Int
    let fd: Int32

    public init(kind: CTTableKind, capacity: Int) throws {
        precondition(capacity > 0 && capacity <= Int(UInt32.max), "table size \(capacity)")
        self.kind = kind
        self.capacity = capacity
        fd = try libbpfCall("create a \(kind.rawValue) connection table of \(capacity) entries") {
            bpf_map_create(kind.mapType, "bl_ct_table", UInt32(MemoryLayout<bl_ct_key>.size),
                           UInt32(MemoryLayout<bl_ct_entry>.size), UInt32(capacity), nil)
        }
    }

    deinit {
        close(fd)
    }

    public func lookup(_ key: bl_ct_key) throws -> bl_ct_entry? {
        var key = key
        var entry = bl_ct_entry()
        do {
            try libbpfCall("look up a flow in the connection table") { bpf_map_lookup_elem(fd, &key, &entry) }
        } catch let error as BPFError where error.errno == ENOENT {
            return nil
        }
        return entry
    }

    /// Writes an entry (tests age one by hand; nothing else writes from user space).
    public func insert(_ key: bl_ct_key, _ entry: bl_ct_entry) throws {
        var key = key
        var entry = entry
        try libbpfCall("write a flow into the connection table") { bpf_map_update_elem(fd, &key, &entry, UInt64(BPF_ANY)) }
    }

    /// Every entry, read in chunks with BPF_MAP_LOOKUP_BATCH. Not a snapshot: the datapath keeps
    /// writing while the walk goes on (a bucket is read under its lock, the table is not).
    public func entries(chunk: Int = 4096) throws -> [(key: bl_ct_key, entry: bl_ct_entry)] {
        var result: [(key: bl_ct_key, entry: bl_ct_entry)] = []
        var keys = [bl_ct_key](repeating: bl_ct_key(), count: chunk)
        var values = [bl_ct_entry](repeating: bl_ct_entry(), count: chunk)
        // The hash batch cursor is a bucket number (u32); 8 bytes is room enough.
        var cursorIn: UInt64 = 0
        var cursorOut: UInt64 = 0
        var first = true
        while true {
            var count = UInt32(chunk)
            var finished = false
            do {
                try libbpfCall("batch-read the connection table") {
                    keys.withUnsafeMutableBytes { keyBytes in
                        values.withUnsafeMutableBytes { valueBytes in
                            withUnsafeMutablePointer(to: &cursorIn) { inPointer in
                                withUnsafeMutablePointer(to: &cursorOut) { outPointer in
                                    bpf_map_lookup_batch(fd, first ? nil : UnsafeMutableRawPointer(inPointer),
                                                         UnsafeMutableRawPointer(outPointer), keyBytes.baseAddress,
                                                         valueBytes.baseAddress, &count, nil)
                                }
                            }
                        }
                    }
                }
            } catch let error as BPFError where error.errno == ENOENT {
                finished = true // the walk is over; this call's entries are still valid
            }
            for index in 0..<Int(count) { result.append((keys[index], values[index])) }
            if finished { return result }
            cursorIn = cursorOut
            first = false
        }
    }

    /// Entries in the table now (expired ones not yet reclaimed included).
    public func count() throws -> Int { try entries().count }

    /// Deletes `keys` with BPF_MAP_DELETE_BATCH; returns how many were deleted. A key the datapath
    /// or an LRU eviction removed meanwhile stops a batch with ENOENT, so the rest goes one by one.
    @discardableResult
    public func delete(_ keys: [bl_ct_key]) throws -> Int {
        guard !keys.isEmpty else { return 0 }
        var count = UInt32(keys.count)
        do {
            try libbpfCall("batch-delete \(keys.count) flows from the connection table") {
                keys.withUnsafeBytes { bpf_map_delete_batch(fd, $0.baseAddress, &count, nil) }
            }
            return keys.count
        } catch let error as BPFError where error.errno == ENOENT {
            var deleted = Int(count)
            for var key in keys[Int(count)...] where bpf_map_delete_elem(fd, &key) == 0 { deleted += 1 }
            return deleted
        }
    }
}

extension bl_ct_key {
    public init(proto: UInt8, source: IPv4Address, destination: IPv4Address, sourcePort: UInt16, destinationPort: UInt16) {
        self.init()
        self.proto = proto
        // Addresses in network byte order, as the program copies them from the IPv4 header.
        saddr = source.value.bigEndian
        daddr = destination.value.bigEndian
        sport = sourcePort
        dport = destinationPort
    }

    public var source: IPv4Address { IPv4Address(UInt32(bigEndian: saddr)) }
    public var destination: IPv4Address { IPv4Address(UInt32(bigEndian: daddr)) }
}
