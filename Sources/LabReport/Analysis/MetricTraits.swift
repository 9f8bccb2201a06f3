import LabResults

extension MetricInfo {
    /// Metrics that count discrete events (retransmits, drops, failures). Their spread at small counts
    /// is counting noise, not instability, and they read better as whole numbers.
    var isEventCount: Bool {
        ["count", "segments", "packets", "entries"].contains(unit)
    }
}
