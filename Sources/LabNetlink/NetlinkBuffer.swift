import CNetfilterConntrack

/// A copy of received or captured netlink bytes in memory aligned for `nlmsghdr`, walked message
/// by message. Every header's length is checked against what is there, so a truncated or garbled
/// buffer is an error rather than a shorter result (libmnl's own walk stops silently).
struct NetlinkBuffer: ~Copyable {
    private let storage: UnsafeMutableRawBufferPointer

    init(_ bytes: some Collection<UInt8>) {
        storage = .allocate(byteCount: max(bytes.count, 1), alignment: 8)
        _ = storage.initializeMemory(as: UInt8.self, from: bytes)
        count = bytes.count
    }

    let count: Int

    deinit { storage.deallocate() }

    /// Calls `body` with each message in turn; `context` names the buffer in errors.
    func forEachMessage(context: String, _ body: (UnsafePointer<nlmsghdr>) throws -> Void) throws {
        let headerSize = MemoryLayout<nlmsghdr>.size
        var offset = 0
        guard count > 0 else { throw NetlinkDecodeError(context, "no bytes") }
        while offset < count {
            let remaining = count - offset
            guard remaining >= headerSize else {
                throw NetlinkDecodeError(context, "\(remaining) bytes at offset \(offset) are shorter than a netlink header (\(headerSize))")
            }
            let header = UnsafePointer((storage.baseAddress! + offset).assumingMemoryBound(to: nlmsghdr.self))
            let length = Int(header.pointee.nlmsg_len)
            guard length >= headerSize, length <= remaining else {
                throw NetlinkDecodeError(context, "the message at offset \(offset) claims \(length) bytes but \(remaining) remain (truncated or not netlink)")
            }
            try body(header)
            offset += (length + 3) & ~3
        }
    }
}
