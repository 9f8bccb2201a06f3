import CPcap

/// A savefile's frames and link type, read whole: the files benchlab reads are its own `capture: N`
/// files and test fixtures, small by construction.
public struct PcapRecording: Sendable, Equatable {
    public var linkType: LinkType
    public var frames: [CapturedFrame]

    public init(linkType: LinkType, frames: [CapturedFrame]) {
        self.linkType = linkType
        self.frames = frames
    }

    /// Each frame decoded to its IPv4 and transport headers.
    public var packets: [CapturedPacket] { frames.map { PacketDecoder.decode($0, linkType: linkType) } }
}

/// Reading and writing .pcap files through libpcap, so what benchlab writes opens in Wireshark and
/// what tcpdump writes replays in tests and the NAT check.
public enum PcapFile {
    /// Every frame of the file at `path` (classic pcap or pcapng). A missing, foreign or truncated
    /// file is one CaptureError naming the file and libpcap's reason.
    public static func read(_ path: String) throws -> PcapRecording {
        let handle = try PcapHandle.offline(path: path)
        var frames: [CapturedFrame] = []
        while true {
            switch try handle.next() {
            case .frame(let frame): frames.append(frame)
            case .end: return PcapRecording(linkType: handle.linkType, frames: frames)
            case .timeout: continue
            }
        }
    }

    /// Writes `recording` to `path` in one go.
    public static func write(_ recording: PcapRecording, to path: String, snapshotLength: Int = 65_535) throws {
        let writer = try PcapWriter(path: path, linkType: recording.linkType, snapshotLength: snapshotLength)
        for frame in recording.frames { writer.write(frame) }
        try writer.close()
    }
}

/// An open .pcap file being written frame by frame (pcap_dump). `close` flushes and reports a failed
/// write; deinit closes a writer that was abandoned (an error path) so the descriptor never leaks.
public final class PcapWriter {
    public let path: String
    private let handle: PcapHandle
    private var dumper: OpaquePointer?
    public private(set) var written = 0

    public init(path: String, linkType: LinkType, snapshotLength: Int = 65_535) throws {
        self.path = path
        handle = try PcapHandle.dead(linkType: linkType, snapshotLength: Int32(snapshotLength), path: path)
        dumper = try handle.openDumper(path: path)
    }

    deinit { if let dumper { pcap_dump_close(dumper) } }

    public func write(_ frame: CapturedFrame) {
        guard let dumper else { preconditionFailure("write to closed pcap file \(path)") }
        var header = pcap_pkthdr()
        header.ts.tv_sec = frame.timestamp.seconds
        header.ts.tv_usec = frame.timestamp.microseconds
        header.caplen = UInt32(frame.bytes.count)
        header.len = UInt32(frame.originalLength)
        frame.bytes.withUnsafeBufferPointer { bytes in
            // pcap_dump takes the dumper as its "user" argument, typed u_char * for pcap_loop callbacks.
            pcap_dump(UnsafeMutableRawPointer(dumper).assumingMemoryBound(to: UInt8.self), &header, bytes.baseAddress)
        }
        written += 1
    }

    /// Flushes and closes; throws when the data did not reach the file (disk full, …).
    public func close() throws {
        guard let open = dumper else { return }
        dumper = nil
        let flushed = pcap_dump_flush(open)
        pcap_dump_close(open)
        if flushed != 0 { throw CaptureError("write pcap file", site: .file(path), message: "flush failed") }
    }
}
