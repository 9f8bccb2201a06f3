#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LabConntrack
import LabNetwork
import LabSystem

/// Long-lived TCP connections kept alive (`benchlab agent established-client`, in the client
/// namespace): opens one connection per flow of its plan, prints "ready", then sends a small request
/// on each every `interval` (spread evenly over the interval) and waits for the echo, until SIGTERM or
/// its deadline. A flow breaks once — by RST, by the kernel giving up (ETIMEDOUT), by the peer closing
/// it, or by a reply missing its bound — and is not used again: what a tracker that lost its entry
/// does to a live connection is exactly this.
public enum EstablishedFlowsClient {
    public struct Options: Sendable {
        public var plan: FlowFillPlan
        public var intervalSeconds: Double
        public var replyTimeout: Double
        public var deadlineSeconds: Double
    }

    private struct Live {
        let index: Int
        let socket: Socket
        var nextDue: UInt64
        var sentAt: UInt64?
    }

    public static func run(_ options: Options, ready: () -> Void) throws -> EstablishedReport {
        let plan = options.plan
        var live: [Live] = []
        var failedToOpen = FailureCounts()
        var broken: [BrokenFlow] = []
        var reasons = FailureCounts()
        var roundTrips = 0
        let interval = UInt64(options.intervalSeconds * 1e9)
        let replyBound = UInt64(options.replyTimeout * 1e9)
        for index in 0..<plan.count {
            let flow = plan.flow(index)
            do {
                let socket = try Socket(.tcp)
                try socket.setOption(Int32(IPPROTO_TCP), TCP_NODELAY, 1, "TCP_NODELAY")
                try socket.setSendTimeout(options.replyTimeout)
                try socket.bind(Endpoint(host: "\(flow.source)", port: flow.sourcePort))
                try socket.connect(Endpoint(host: "\(flow.destination)", port: flow.destinationPort))
                try socket.setNonBlocking()
                live.append(Live(index: index, socket: socket, nextDue: 0, sentAt: nil))
            } catch let error as SystemCallError {
                failedToOpen.add(error.errno == EINPROGRESS || error.errno == EAGAIN
                                 ? .connectTimeout : FlowFailure.from(errno: error.errno, connecting: true))
            }
        }
        ready()
        let start = MonotonicClock.nanoseconds()
        // Spread the flows over the interval: a steady trickle, not a burst every interval.
        for k in live.indices { live[k].nextDue = start + interval * UInt64(k) / UInt64(max(live.count, 1)) }
        let deadline = Deadline(secondsFromNow: options.deadlineSeconds)
        var request = [UInt8](repeating: 0x65, count: ConnectionChurn.requestBytes)
        var reply = [UInt8](repeating: 0, count: 2048)
        var entries: [pollfd] = []

        func breakFlow(_ k: Int, _ reason: FlowFailure, _ now: UInt64) {
            reasons.add(reason)
            broken.append(BrokenFlow(index: live[k].index, reason: reason, afterSeconds: Double(now - start) / 1e9))
        }

        while !deadline.hasPassed && !Cancellation.shared.isCancelled && !live.isEmpty {
            var now = MonotonicClock.nanoseconds()
            var gone: [Int] = []
            for k in live.indices where live[k].sentAt == nil && live[k].nextDue <= now {
                withUnsafeBytes(of: UInt64(k)) { request.replaceSubrange(0..<8, with: $0) }
                let n = request.withUnsafeBytes { Glibc.send(live[k].socket.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
                if n == request.count {
                    live[k].sentAt = now
                } else {
                    breakFlow(k, n < 0 ? FlowFailure.from(errno: errno, connecting: false) : .other, now)
                    gone.append(k)
                }
            }
            entries.removeAll(keepingCapacity: true)
            for flow in live { entries.append(pollfd(fd: flow.socket.fd, events: flow.sentAt == nil ? 0 : Int16(POLLIN), revents: 0)) }
            _ = entries.withUnsafeMutableBufferPointer { Glibc.poll($0.baseAddress, nfds_t($0.count), 5) }
            now = MonotonicClock.nanoseconds()
            for (k, entry) in entries.enumerated() where !gone.contains(k) {
                guard let sentAt = live[k].sentAt else { continue }
                if entry.revents != 0 {
                    let n = reply.withUnsafeMutableBytes { Glibc.recv(live[k].socket.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                    if n > 0 {
                        // The echo of a 16-byte request arrives in one segment.
                        roundTrips += 1
                        live[k].sentAt = nil
                        live[k].nextDue = sentAt + interval
                        continue
                    }
                    if n == 0 || (errno != EAGAIN && errno != EINTR) {
                        breakFlow(k, n == 0 ? .reset : FlowFailure.from(errno: errno, connecting: false), now)
                        gone.append(k)
                        continue
                    }
                }
                if now - sentAt > replyBound {
                    breakFlow(k, .replyTimeout, now)
                    gone.append(k)
                }
            }
            for k in Set(gone).sorted(by: >) { live.remove(at: k) }
        }
        return EstablishedReport(flows: plan.count, opened: plan.count - failedToOpen.total, failedToOpen: failedToOpen,
                                 broken: broken.sorted { $0.index < $1.index }, brokenByReason: reasons, roundTrips: roundTrips,
                                 elapsedSeconds: Double(MonotonicClock.nanoseconds() - start) / 1e9)
    }
}

/// A long-lived flow that broke: which (its index in the plan), how, and when after the start.
public struct BrokenFlow: Codable, Sendable, Equatable {
    public var index: Int
    public var reason: FlowFailure
    public var afterSeconds: Double

    enum CodingKeys: String, CodingKey { case index, reason, afterSeconds = "after_s" }
}

/// What the established-flows client prints when stopped.
public struct EstablishedReport: Codable, Sendable, Equatable {
    public var flows: Int
    public var opened: Int
    public var failedToOpen: FailureCounts
    public var broken: [BrokenFlow]
    public var brokenByReason: FailureCounts
    public var roundTrips: Int
    public var elapsedSeconds: Double

    /// `established_broken`: flows that were open and broke.
    public var brokenCount: Int { broken.count }

    enum CodingKeys: String, CodingKey {
        case flows, opened, broken
        case failedToOpen = "failed_to_open", brokenByReason = "broken_by_reason", roundTrips = "round_trips"
        case elapsedSeconds = "elapsed_s"
    }
}

extension Socket {
    /// SO_SNDTIMEO: also bounds a blocking connect.
    func setSendTimeout(_ seconds: Double) throws {
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1e6))
        try systemCall("set SO_SNDTIMEO") { setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size)) }
    }
}
