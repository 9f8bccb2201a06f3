/// pcap_stats at the end of a live capture. On Linux: `received` counts packets that passed the
/// filter, `droppedByKernel` those lost because the ring buffer was full (the capture fell behind),
/// `droppedByInterface` libpcap's ps_ifdrop, which Linux libpcap fills only in promiscuous mode.
public struct CaptureStatistics: Sendable, Equatable, Codable {
    public var received: UInt64
    public var droppedByKernel: UInt64
    public var droppedByInterface: UInt64

    public init(received: UInt64, droppedByKernel: UInt64, droppedByInterface: UInt64) {
        self.received = received
        self.droppedByKernel = droppedByKernel
        self.droppedByInterface = droppedByInterface
    }
}
