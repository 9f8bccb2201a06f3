/// Brackets the moment a workload's traffic flows. What a case measures around a workload (CPU time
/// from /proc/stat, interface counters) is taken when the window opens and closes, so it covers the
/// traffic and not its set-up: starting servers, waiting for listeners, and above all reading the
/// filter's counters, which for iptables-nft at 100k rules is seconds of system time of its own.
public struct TrafficWindow {
    let opening: () throws -> Void
    let closing: () throws -> Void

    public init(opening: @escaping () throws -> Void, closing: @escaping () throws -> Void) {
        self.opening = opening
        self.closing = closing
    }

    /// For callers that measure nothing around the traffic.
    public static var unobserved: TrafficWindow { TrafficWindow(opening: {}, closing: {}) }

    /// Runs `traffic` inside the window. A throw leaves it unclosed: a failed workload has nothing to
    /// report about its CPU.
    func measure<T>(_ traffic: () throws -> T) throws -> T {
        try opening()
        let result = try traffic()
        try closing()
        return result
    }
}
