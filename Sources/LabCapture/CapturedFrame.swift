/// When libpcap saw a frame: seconds and microseconds since the epoch (the classic pcap file's precision).
public struct CaptureTimestamp: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var seconds: Int
    public var microseconds: Int

    public init(seconds: Int, microseconds: Int) {
        precondition((0..<1_000_000).contains(microseconds), "microseconds must be below one second")
        self.seconds = seconds
        self.microseconds = microseconds
    }

    public var timeInterval: Double { Double(seconds) + Double(microseconds) / 1e6 }

    public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.seconds, lhs.microseconds) < (rhs.seconds, rhs.microseconds) }

    public var description: String {
        let fraction = String(microseconds)
        return "\(seconds).\(String(repeating: "0", count: 6 - fraction.count))\(fraction)"
    }
}

/// A link-layer header type (libpcap's DLT_/LINKTYPE_ numbers), which says how to find the IP header.
public struct LinkType: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// DLT_EN10MB: every veth in a lab.
    public static let ethernet = LinkType(rawValue: 1)
    /// DLT_LINUX_SLL: the "any" pseudo-interface and tcpdump -i any.
    public static let linuxCooked = LinkType(rawValue: 113)

    public var description: String {
        switch self {
        case .ethernet: "ethernet"
        case .linuxCooked: "linux-sll"
        default: "linktype \(rawValue)"
        }
    }
}

/// One frame as libpcap delivered it: the first `snapshotLength` bytes, and how long it really was.
public struct CapturedFrame: Sendable, Equatable {
    public var timestamp: CaptureTimestamp
    public var bytes: [UInt8]
    /// The frame's length on the wire; larger than `bytes.count` when the snapshot length cut it.
    public var originalLength: Int

    public init(timestamp: CaptureTimestamp, bytes: [UInt8], originalLength: Int? = nil) {
        self.timestamp = timestamp
        self.bytes = bytes
        self.originalLength = originalLength ?? bytes.count
        precondition(self.originalLength >= bytes.count, "a frame cannot be shorter than what was captured of it")
    }
}
