import Foundation
import LabSystem
import Synchronization

/// How a live capture reads: what to keep, for how long, and what to save for Wireshark.
public struct CaptureOptions: Sendable {
    /// Bytes kept per frame: 128 holds Ethernet + IPv4 with options + TCP with options.
    public var snapshotLength = 128
    /// A tcpdump filter expression, compiled to classic BPF and run in the kernel; nil keeps everything.
    public var filter: String?
    /// The read loop stops after this many frames (memory stays bounded whatever the traffic does).
    public var packetLimit = 100_000
    /// The read loop stops this long after `start`, even if nobody calls `finish`.
    public var durationSeconds = 60.0
    /// How long one read waits for a frame before the loop checks its deadline and stop flag again:
    /// also the longest `finish` waits for the reader to notice it, and the quiet time that ends the drain.
    public var readTimeoutMilliseconds: Int32 = 50
    public var promiscuous = false
    /// Also write the first `count` frames to `path` as a .pcap file (`capture: N` in a scenario).
    public var save: (path: String, count: Int)?

    public init(snapshotLength: Int = 128, filter: String? = nil, packetLimit: Int = 100_000, durationSeconds: Double = 60,
                save: (path: String, count: Int)? = nil) {
        self.snapshotLength = snapshotLength
        self.filter = filter
        self.packetLimit = packetLimit
        self.durationSeconds = durationSeconds
        self.save = save
    }
}

/// What a finished capture holds.
public struct CaptureResult: Sendable {
    /// Why the read loop ended.
    public enum End: String, Sendable, Codable {
        case stopped, deadline, packetLimit
    }

    public var linkType: LinkType
    public var frames: [CapturedFrame]
    public var statistics: CaptureStatistics
    public var end: End
    /// Frames written to the `save` file (at most its count).
    public var saved: Int

    public var recording: PcapRecording { PcapRecording(linkType: linkType, frames: frames) }
    public var packets: [CapturedPacket] { recording.packets }
}

/// A live capture on one interface inside a lab network namespace, read on its own thread while
/// traffic runs: `open`, `start`, run the traffic, `finish`. The socket is opened inside the
/// namespace (setns is per thread; a packet socket stays bound to the namespace it was made in),
/// then read from a plain thread. Stopping early is safe at any point, and a capture dropped
/// without `finish` stops its thread in deinit, after which the handle closes.
public final class PacketCapture: Sendable {
    public let interface: String
    public let namespace: String
    public var options: CaptureOptions { reader.options }

    private let reader: CaptureReader
    private let state = Mutex(State.opened)

    private enum State { case opened, running, finished }

    private init(interface: String, namespace: String, reader: CaptureReader) {
        self.interface = interface
        self.namespace = namespace
        self.reader = reader
    }

    /// Opens the capture inside `namespace` and attaches the filter; nothing is read until `start`.
    public static func open(interface: String, namespace: String, options: CaptureOptions = CaptureOptions()) throws -> PacketCapture {
        precondition(options.snapshotLength > 0 && options.packetLimit > 0, "a capture needs a snapshot length and a packet limit")
        let handle = try NetworkNamespace.run(in: namespace) {
            let handle = try PcapHandle.live(interface: interface, namespace: namespace, snapshotLength: Int32(options.snapshotLength),
                                             readTimeoutMilliseconds: options.readTimeoutMilliseconds, promiscuous: options.promiscuous)
            if let filter = options.filter { try handle.setFilter(filter) }
            return handle
        }
        let writer = try options.save.map {
            try PcapWriter(path: $0.path, linkType: handle.linkType, snapshotLength: Int(handle.snapshotLength))
        }
        return PacketCapture(interface: interface, namespace: namespace,
                             reader: CaptureReader(handle: handle, writer: writer, options: options))
    }

    /// Starts the read loop on its own thread; the loop ends by itself at the deadline or the packet limit.
    public func start() {
        state.withLock {
            precondition($0 == .opened, "a capture starts once")
            $0 = .running
        }
        let reader = reader
        let deadline = Deadline(secondsFromNow: reader.options.durationSeconds)
        let thread = Thread { reader.run(until: deadline) }
        thread.name = "capture \(interface)"
        thread.start()
    }

    /// Stops the loop (if it is still reading, after draining what the kernel already queued), and
    /// returns the frames, the statistics and why it ended. A read error surfaces here.
    public func finish() throws -> CaptureResult {
        state.withLock {
            precondition($0 == .running, "finish a started capture, once")
            $0 = .finished
        }
        return try reader.stop(drain: true)
    }

    deinit {
        // Dropped while reading (an error path of the caller): stop at once; the thread's reference
        // to the reader is its last, so the handle closes when the thread ends.
        if state.withLock({ $0 }) == .running { _ = try? reader.stop(drain: false) }
    }
}

/// The read loop's side of a capture: owns the handle and the writer. Its mutable state is written
/// by the reader thread only and read by `stop` after the thread signalled `done`, which orders them.
final class CaptureReader: @unchecked Sendable {
    let options: CaptureOptions
    private let handle: PcapHandle
    private let writer: PcapWriter?
    private let stopRequested = Atomic<Bool>(false)
    private let drainOnStop = Atomic<Bool>(true)
    private let done = DispatchSemaphore(value: 0)
    private var frames: [CapturedFrame] = []
    private var end = CaptureResult.End.stopped
    private var failure: (any Error)?

    init(handle: PcapHandle, writer: PcapWriter?, options: CaptureOptions) {
        self.handle = handle
        self.writer = writer
        self.options = options
    }

    func run(until deadline: Deadline) {
        do { try readLoop(until: deadline) } catch { failure = error }
        done.signal()
    }

    func stop(drain: Bool) throws -> CaptureResult {
        drainOnStop.store(drain, ordering: .relaxed)
        stopRequested.store(true, ordering: .releasing)
        done.wait()
        if let failure { throw failure }
        try writer?.close()
        return CaptureResult(linkType: handle.linkType, frames: frames, statistics: try handle.statistics(), end: end,
                             saved: writer?.written ?? 0)
    }

    private func readLoop(until deadline: Deadline) throws {
        while frames.count < options.packetLimit {
            if stopRequested.load(ordering: .acquiring) {
                end = .stopped
                return drainOnStop.load(ordering: .relaxed) ? try drain() : ()
            }
            if deadline.hasPassed {
                end = .deadline
                return
            }
            switch try handle.next() {
            case .frame(let frame): keep(frame)
            case .timeout, .end: continue
            }
        }
        end = .packetLimit
    }

    /// After a stop, reads what is already queued until a read times out, so packets sent just
    /// before `finish` are not lost in the ring.
    private func drain() throws {
        while frames.count < options.packetLimit {
            switch try handle.next() {
            case .frame(let frame): keep(frame)
            case .timeout, .end: return
            }
        }
        end = .packetLimit
    }

    private func keep(_ frame: CapturedFrame) {
        frames.append(frame)
        if let writer, let save = options.save, writer.written < save.count { writer.write(frame) }
    }
}
