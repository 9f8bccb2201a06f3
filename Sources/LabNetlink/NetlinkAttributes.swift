import CNetfilterConntrack

/// The top-level attributes of one netfilter netlink message (after its `nfgenmsg`), by type, read
/// with libmnl's parser. libmnl stops quietly at an attribute that overruns the message, so the
/// bytes its callback saw are added up and compared with the payload: garbage is an error.
final class NetlinkAttributes {
    private(set) var byType: [UInt16: UnsafePointer<nlattr>] = [:]
    private var consumed = 0

    init(_ message: UnsafePointer<nlmsghdr>, context: String) throws {
        let headerSize = MemoryLayout<nfgenmsg>.size
        let payload = Int(mnl_nlmsg_get_payload_len(message))
        guard payload >= headerSize else {
            throw NetlinkDecodeError(context, "payload of \(payload) bytes has no room for the nfgenmsg header")
        }
        let rc = mnl_attr_parse(message, UInt32(headerSize), { attribute, data in
            let table = Unmanaged<NetlinkAttributes>.fromOpaque(data!).takeUnretainedValue()
            guard let attribute else { return -1 }
            table.byType[mnl_attr_get_type(attribute)] = attribute
            table.consumed += (Int(attribute.pointee.nla_len) + 3) & ~3
            return 1 // MNL_CB_OK
        }, Unmanaged.passUnretained(self).toOpaque())
        guard rc >= 0 else { throw NetlinkDecodeError(context, "libmnl could not parse the attributes") }
        let expected = payload - headerSize
        // The last attribute's padding may be left off the message's length.
        guard consumed == expected || (consumed > expected && consumed - expected < 4) else {
            throw NetlinkDecodeError(context, "attributes end after \(consumed) of \(expected) bytes (a truncated or garbled attribute)")
        }
    }

    /// A big-endian 32-bit attribute (conntrack statistics are `nla_put_be32`); nil when absent.
    func bigEndianUInt32(_ type: UInt16, context: String) throws -> UInt32? {
        guard let attribute = byType[type] else { return nil }
        guard mnl_attr_validate(attribute, MNL_TYPE_U32) >= 0 else {
            throw NetlinkDecodeError(context, "attribute \(type) is \(mnl_attr_get_payload_len(attribute)) bytes, not a 32-bit value")
        }
        return UInt32(bigEndian: mnl_attr_get_u32(attribute))
    }

    /// The nfgenmsg's res_id (the CPU of a per-CPU statistics message), host order.
    static func resourceID(_ message: UnsafePointer<nlmsghdr>) -> UInt16 {
        let header = mnl_nlmsg_get_payload(message)!.assumingMemoryBound(to: nfgenmsg.self)
        return UInt16(bigEndian: header.pointee.res_id)
    }
}
