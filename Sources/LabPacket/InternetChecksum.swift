/// RFC 1071 Internet checksum, for every IPv4, UDP and ICMP header benchlab builds (test frames for
/// BPF_PROG_TEST_RUN, the flood's frames, the probes' echo requests). One implementation, so a frame
/// checksummed here is checksummed the same way everywhere.
public enum InternetChecksum {
    /// The one's-complement of the one's-complement sum of `bytes` as big-endian 16-bit words, an odd
    /// tail padded with zero. A header that carries its own checksum sums to 0.
    public static func compute(_ bytes: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        var index = 0
        while index + 1 < bytes.count {
            sum += UInt32(bytes[index]) << 8 | UInt32(bytes[index + 1])
            index += 2
        }
        if index < bytes.count { sum += UInt32(bytes[index]) << 8 }
        while sum >> 16 != 0 { sum = (sum & 0xffff) + (sum >> 16) }
        return ~UInt16(sum)
    }

    /// Writes `checksum` big-endian at `offset`.
    static func store(_ checksum: UInt16, in bytes: inout [UInt8], at offset: Int) {
        bytes[offset] = UInt8(checksum >> 8)
        bytes[offset + 1] = UInt8(checksum & 0xff)
    }
}
