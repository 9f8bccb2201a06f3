import Foundation
import LabNetwork
import LabSystem

/// The traffic the conntrack-gc phases drive, over the connection workloads' pieces (FlowFill,
/// ConnectionChurn, EstablishedFlows), reduced to what the phases read.
enum ConntrackTraffic {
    /// One-datagram UDP flows; bounded by the time the slowest plausible generator would need.
    static func fill(count: Int, rate: Int, seed: UInt64 = 1, name: String, filter: FilterUnderTest,
                     _ context: TrafficContext) throws -> FlowFillResult {
        let bound = rate > 0 ? Double(count) / Double(rate) * 1.5 + 10 : Double(count) / 20_000 + 30
        return try FlowFill.run(count: count, rate: rate, seed: seed, durationSeconds: bound, name: name, filter: filter, context)
    }

    struct ChurnTally {
        var attempted: Int
        var failed: Int
        var seconds: Double
    }

    /// Short TCP connections (connect, one request/response, close) at `rate` for `seconds`.
    static func churn(rate: Int, seconds: Double, seed: UInt64 = 5, name: String, filter: FilterUnderTest,
                      _ context: TrafficContext) throws -> ChurnTally {
        let report = try ConnectionChurn.run(transport: .tcp, rate: rate, durationSeconds: seconds, seed: seed, name: name,
                                             filter: filter, context)
        return ChurnTally(attempted: report.attempted, failed: report.failed.total, seconds: report.elapsedSeconds)
    }

    /// Whether one new TCP connection (a fresh 5-tuple each call) completes its request/response.
    static func connects(attempt: Int, name: String, filter: FilterUnderTest, _ context: TrafficContext) throws -> Bool {
        let report = try ConnectionChurn.run(transport: .tcp, rate: 0, durationSeconds: 2, count: 1, concurrency: 1,
                                             seed: 1000 + UInt64(attempt), name: name, filter: filter, context)
        return report.succeeded == 1
    }

    /// Long-lived flows in the background; `stop` returns how many broke. None when `count` is 0.
    final class Established {
        private let flows: EstablishedFlows?
        init(count: Int, interval: Double, lifetime: Double, name: String, filter: FilterUnderTest, _ context: TrafficContext) throws {
            flows = count == 0 ? nil : try EstablishedFlows.start(count: count, intervalSeconds: interval, lifetime: lifetime,
                                                                   name: name, filter: filter, context)
        }
        func stop() throws -> Int { try flows?.stop().brokenCount ?? 0 }
    }

    /// Runs `body` on its own thread; `wait` returns its result. What `body` captures is only read
    /// while both threads run (the flood and the probes share the context and policy), hence unchecked.
    final class Background<T>: @unchecked Sendable {
        private let done = DispatchSemaphore(value: 0)
        private var result: Result<T, any Error>?
        private var body: (() throws -> T)?
        init(_ body: @escaping () throws -> T) {
            self.body = body
            let thread = Thread { [self] in
                result = Result { try self.body!() }
                self.body = nil
                done.signal()
            }
            thread.start()
        }
        func wait() -> Result<T, any Error> {
            done.wait()
            return result!
        }
    }
}
