import LabResults

extension MetricInfo {
    /// Metrics that count discrete events (retransmits, drops, failures). Their spread at small counts
    /// is counting noise, not instability, and they read better as whole numbers.
    var isEventCount: Bool {
        ["count", "segments", "packets", "entries"].contains(unit)
    }
}

/// The metrics that get a marginal cost (the case minus `none` in the same round). Per-packet CPU
/// of the whole path (~7 µs here) dwarfs what a filter adds (~50 ns for a BPF program), so the
/// absolute figure cannot rank efficient backends; the difference to the bare path can.
/// rx_cpu_ns_per_pkt is the receive side's share, recorded once its collector is in the run.
enum MarginalMetrics {
    static let names = ["cpu_ns_per_pkt", "rx_cpu_ns_per_pkt"]
    /// The workload kinds whose packets are the same whatever the backend: fixed-size frames from the
    /// lab's flood. A TCP stream's packets are not — with XDP on veth it loses GSO and sends many small
    /// packets instead of a few large ones, so its CPU per packet falls while its CPU per byte rises.
    static let workloadKinds: Set<String> = ["packet-rate", "flood-goodput"]
}
