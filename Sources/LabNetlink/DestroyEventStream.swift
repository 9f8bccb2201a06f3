#if canImport(Glibc)
import Glibc
#endif
import CNetfilterConntrack
import Foundation
import LabConntrack
import LabSystem

/// One entry seen leaving the table.
public struct ReceivedDeletion: Sendable, Equatable {
    public var flow: TrackedFlow
    /// CLOCK_MONOTONIC nanoseconds when the event was read. The kernel sends it synchronously from
    /// the deletion, and the reader is always waiting on the socket, so this is when the entry left
    /// the table, late only by the time the event queued (up to ~0.3 s when a flush deletes 60,000
    /// at once, microseconds otherwise).
    public var receivedNanoseconds: UInt64
    /// The kernel's stop stamp (nf_conntrack_timestamp) in CLOCK_MONOTONIC nanoseconds; nil without
    /// the knob. Not the deletion time for an expired entry: the kernel backdates it to when the
    /// entry *expired* (nf_ct_delete subtracts the overdue time), so for the garbage collector's
    /// victims `receivedNanoseconds − kernelStopNanoseconds` is the lag the kernel itself saw.
    public var kernelStopNanoseconds: UInt64?

    public init(flow: TrackedFlow, receivedNanoseconds: UInt64, kernelStopNanoseconds: UInt64?) {
        self.flow = flow
        self.receivedNanoseconds = receivedNanoseconds
        self.kernelStopNanoseconds = kernelStopNanoseconds
    }
}

/// The destroy events of one lab namespace's conntrack table (NFNLGRP_CONNTRACK_DESTROY), drained
/// from the socket by a reader thread into a buffer as they come, so the kernel's socket never
/// fills while the lab is busy elsewhere. A full socket loses events: the kernel says so with
/// ENOBUFS and counts each lost message (SK_MEMINFO_DROPS); both are kept in `health`, because a
/// lost event would otherwise look like a flow never reclaimed.
public final class DestroyEventStream: @unchecked Sendable {
    /// How the stream fared since it subscribed.
    public struct Health: Sendable, Equatable {
        /// Events decoded into deletions.
        public var received = 0
        /// Of those, events without the kernel's stop stamp (entries created while
        /// nf_conntrack_timestamp was off).
        public var withoutKernelStamp = 0
        /// recv() reported ENOBUFS: the socket overran and the kernel dropped events.
        public var overruns = 0
        /// Messages the kernel dropped on this socket (SO_MEMINFO), the count behind the overruns.
        public var droppedMessages: UInt64 = 0
        /// Datagrams that did not decode, and the first reason.
        public var decodeFailures = 0
        public var firstDecodeFailure: String?

        /// Whether every destroy event reached the log.
        public var isComplete: Bool { overruns == 0 && droppedMessages == 0 && decodeFailures == 0 }
    }

    public let namespace: String
    public let clockOffset: ClockOffset
    /// The receive buffer the kernel granted, bytes.
    public let receiveBufferBytes: Int
    private let socket: ConntrackNetlinkSocket
    private let lock = NSCondition()
    private var pending: [ReceivedDeletion] = []
    private var state = Health()
    private var running = false
    private var finished = true

    /// Subscribes in `namespace` with a receive buffer of `bufferBytes` (SO_RCVBUFFORCE: root may
    /// exceed net.core.rmem_max). The kernel charges each queued event its whole buffer, about a
    /// kilobyte, so the default holds on the order of 100,000 events the reader has not caught up with.
    public init(namespace: String, bufferBytes: Int = 64 << 20) throws {
        self.namespace = namespace
        let socket = try ConntrackNetlinkSocket(namespace: namespace, groups: [UInt32(NFNLGRP_CONNTRACK_DESTROY.rawValue)])
        self.socket = socket
        var size = Int32(bufferBytes)
        try systemCall("set the conntrack event socket's receive buffer (SO_RCVBUFFORCE) in namespace \(namespace)") {
            setsockopt(socket.fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var granted: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        _ = getsockopt(socket.fd, SOL_SOCKET, SO_RCVBUF, &granted, &length)
        receiveBufferBytes = Int(granted)
        // Short, so `stop` ends the reader within a tenth of a second.
        try socket.setReceiveTimeout(seconds: 0.1)
        clockOffset = ClockOffset.measure()
    }

    /// Starts the reader thread. Idempotent.
    public func start() {
        lock.lock()
        defer { lock.unlock() }
        guard !running else { return }
        running = true
        finished = false
        let thread = Thread { [self] in readLoop() }
        thread.name = "conntrack-events"
        thread.start()
    }

    /// Deletions received since the last drain, oldest first.
    public func drain() -> [ReceivedDeletion] {
        lock.lock()
        defer { lock.unlock() }
        let drained = pending
        pending = []
        return drained
    }

    public var health: Health {
        lock.lock()
        defer { lock.unlock() }
        var health = state
        health.droppedMessages = SocketDrops.read(socket.fd)
        return health
    }

    /// Ends the reader thread and waits for it. Idempotent.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        running = false
        while !finished { lock.wait() }
    }

    private var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        return running
    }

    private func readLoop() {
        let context = "conntrack destroy events in namespace \(namespace)"
        while isRunning {
            let datagram: [UInt8]
            do {
                datagram = try socket.receive(context: context)
            } catch let error as SystemCallError where error.errno == EAGAIN || error.errno == EWOULDBLOCK || error.errno == EINTR {
                continue
            } catch let error as SystemCallError where error.errno == ENOBUFS {
                lock.lock(); state.overruns += 1; lock.unlock()
                continue
            } catch {
                record(failure: error.oneLine)
                continue
            }
            let received = MonotonicClock.nanoseconds()
            do {
                let events = try ConntrackEventDecoder.destroyEvents(datagram)
                let deletions = events.map { event in
                    ReceivedDeletion(flow: event.flow, receivedNanoseconds: received,
                                     kernelStopNanoseconds: event.stopRealtimeNanoseconds.map(clockOffset.monotonic(fromRealtime:)))
                }
                lock.lock()
                pending += deletions
                state.received += events.count
                state.withoutKernelStamp += events.filter { $0.stopRealtimeNanoseconds == nil }.count
                lock.unlock()
            } catch {
                record(failure: error.oneLine)
            }
        }
        lock.lock()
        finished = true
        lock.broadcast()
        lock.unlock()
    }

    private func record(failure: String) {
        lock.lock()
        state.decodeFailures += 1
        if state.firstDecodeFailure == nil { state.firstDecodeFailure = failure }
        lock.unlock()
    }

    /// Receives up to `count` raw destroy-event datagrams within `seconds` (the reader thread must
    /// not be running): for capturing test fixtures.
    public func captureRaw(count: Int, seconds: Double) throws -> [[UInt8]] {
        let deadline = Deadline(secondsFromNow: seconds)
        var datagrams: [[UInt8]] = []
        while datagrams.count < count, !deadline.hasPassed {
            do {
                datagrams.append(try socket.receive(context: "capture conntrack events"))
            } catch let error as SystemCallError where error.errno == EAGAIN || error.errno == EWOULDBLOCK {
                continue
            }
        }
        return datagrams
    }
}

/// Messages a socket's owner lost because its receive queue was full (SO_MEMINFO's SK_MEMINFO_DROPS;
/// netlink counts a dropped broadcast there).
enum SocketDrops {
    static func read(_ fd: Int32) -> UInt64 {
        let soMeminfo: Int32 = 55, skMeminfoDrops = 8, skMeminfoVars = 9
        var info = [UInt32](repeating: 0, count: skMeminfoVars)
        var length = socklen_t(MemoryLayout<UInt32>.size * skMeminfoVars)
        let rc = info.withUnsafeMutableBytes { getsockopt(fd, SOL_SOCKET, soMeminfo, $0.baseAddress, &length) }
        return rc == 0 ? UInt64(info[skMeminfoDrops]) : 0
    }
}
