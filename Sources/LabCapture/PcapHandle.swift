import CPcap
#if canImport(Glibc)
import Glibc
#endif

/// The one owner of a `pcap_t`: every libpcap call in benchlab goes through here, and the handle is
/// closed exactly once, in deinit. Not thread-safe (libpcap is not): one thread uses it at a time.
final class PcapHandle: @unchecked Sendable {
    private let pointer: OpaquePointer
    let site: CaptureError.Site

    private init(_ pointer: OpaquePointer, site: CaptureError.Site) {
        self.pointer = pointer
        self.site = site
    }

    deinit { pcap_close(pointer) }

    /// What one read gave.
    enum Read {
        case frame(CapturedFrame)
        /// The read timeout passed with nothing to deliver.
        case timeout
        /// The end of a savefile.
        case end
    }

    /// Opens and activates a live capture on `interface` in the calling thread's network namespace:
    /// the packet socket stays bound to that namespace afterwards, wherever it is read from.
    static func live(interface: String, namespace: String, snapshotLength: Int32, readTimeoutMilliseconds: Int32,
                     promiscuous: Bool) throws -> PcapHandle {
        let site = CaptureError.Site.live(interface: interface, namespace: namespace)
        let created = try withErrorBuffer("create capture", site: site) { pcap_create(interface, $0) }
        let handle = PcapHandle(created, site: site)
        try handle.check("set snapshot length \(snapshotLength)") { pcap_set_snaplen($0, snapshotLength) }
        try handle.check("set read timeout") { pcap_set_timeout($0, readTimeoutMilliseconds) }
        // Immediate mode: deliver each packet as it arrives instead of when a ring block fills, so a
        // short workload's packets are all read before the capture is stopped.
        try handle.check("set immediate mode") { pcap_set_immediate_mode($0, 1) }
        try handle.check("set promiscuous mode") { pcap_set_promisc($0, promiscuous ? 1 : 0) }
        let status = pcap_activate(created)
        if status >= 0 {
            // Non-blocking, with our own poll in `next`: on Linux (TPACKET_V3) a blocking read in immediate
            // mode does not return at the read timeout while the ring stays empty, so a drain after stop
            // would wait for the next packet forever (seen in the kernel test).
            try handle.check("set non-blocking mode") { pcap_setnonblock($0, 1, nil) }
            handle.selectable = pcap_get_selectable_fd(created)
            handle.waitMilliseconds = readTimeoutMilliseconds
        }
        if status < 0 {
            // PCAP_ERROR carries its text in pcap_geterr; the other codes are explained by pcap_statustostr.
            let detail = status == -1 ? handle.lastError : "\(String(cString: pcap_statustostr(status))) \(handle.lastError)"
            throw CaptureError("activate capture", site: site, message: detail.trimmingTrailingSpace, status: status)
        }
        return handle
    }

    /// Opens a savefile (classic pcap or pcapng) for reading.
    static func offline(path: String) throws -> PcapHandle {
        let site = CaptureError.Site.file(path)
        return PcapHandle(try withErrorBuffer("open pcap file for reading", site: site) { pcap_open_offline(path, $0) }, site: site)
    }

    /// A handle with no device, which only gives pcap_dump_open a link type and snapshot length.
    static func dead(linkType: LinkType, snapshotLength: Int32, path: String) throws -> PcapHandle {
        guard let pointer = pcap_open_dead(linkType.rawValue, snapshotLength) else {
            throw CaptureError("prepare pcap writer", site: .file(path), message: "pcap_open_dead failed")
        }
        return PcapHandle(pointer, site: .file(path))
    }

    var linkType: LinkType { LinkType(rawValue: pcap_datalink(pointer)) }
    var snapshotLength: Int32 { pcap_snapshot(pointer) }
    var lastError: String { String(cString: pcap_geterr(pointer)) }

    /// Compiles a tcpdump-style filter expression and attaches it in the kernel, so only matching
    /// packets are copied to the ring.
    func setFilter(_ expression: String) throws {
        var program = bpf_program()
        try check("compile capture filter '\(expression)'") {
            pcap_compile($0, &program, expression, 1, PCAP_NETMASK_UNKNOWN)
        }
        defer { pcap_freecode(&program) }
        try check("set capture filter '\(expression)'") { pcap_setfilter($0, &program) }
    }

    /// For a live capture: the descriptor to poll and how long one read waits; nil for files.
    private(set) var selectable: Int32 = -1
    private(set) var waitMilliseconds: Int32 = 0

    /// The next frame; on a live capture, waits up to the read timeout for one to arrive.
    func next() throws -> Read {
        let read = try nextQueued()
        guard case .timeout = read, selectable >= 0 else { return read }
        var descriptor = pollfd(fd: selectable, events: Int16(POLLIN), revents: 0)
        // EINTR or a timeout both mean "nothing yet": the caller's loop checks its stop flag and deadline.
        guard poll(&descriptor, 1, waitMilliseconds) > 0 else { return .timeout }
        return try nextQueued()
    }

    private func nextQueued() throws -> Read {
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        switch pcap_next_ex(pointer, &header, &data) {
        case 1:
            guard let header, let data else { return .timeout }
            let captured = Int(header.pointee.caplen)
            let timestamp = CaptureTimestamp(seconds: Int(header.pointee.ts.tv_sec), microseconds: Int(header.pointee.ts.tv_usec))
            let bytes = Array(UnsafeBufferPointer(start: data, count: captured))
            return .frame(CapturedFrame(timestamp: timestamp, bytes: bytes, originalLength: max(captured, Int(header.pointee.len))))
        case 0: return .timeout
        case -2:
            // PCAP_ERROR_BREAK: a savefile's end (benchlab never calls pcap_breakloop).
            return .end
        default:
            throw CaptureError(site.isFile ? "read pcap file" : "read capture", site: site, message: lastError)
        }
    }

    func statistics() throws -> CaptureStatistics {
        var stats = pcap_stat()
        try check("read capture statistics") { pcap_stats($0, &stats) }
        return CaptureStatistics(received: UInt64(stats.ps_recv), droppedByKernel: UInt64(stats.ps_drop),
                                 droppedByInterface: UInt64(stats.ps_ifdrop))
    }

    /// pcap_dump_open on this (dead) handle; the dumper is owned by the returned writer state.
    func openDumper(path: String) throws -> OpaquePointer {
        guard let dumper = pcap_dump_open(pointer, path) else {
            throw CaptureError("open pcap file for writing", site: .file(path), message: lastError)
        }
        return dumper
    }

    /// libpcap's setters return 0 or a PCAP_ERROR code; the text is in pcap_geterr.
    private func check(_ operation: String, _ call: (OpaquePointer) -> Int32) throws {
        let status = call(pointer)
        if status < 0 {
            let message = lastError.isEmpty ? String(cString: pcap_statustostr(status)) : lastError
            throw CaptureError(operation, site: site, message: message, status: status)
        }
    }

    /// Calls that have no handle yet report through a caller-supplied PCAP_ERRBUF_SIZE buffer.
    private static func withErrorBuffer(_ operation: String, site: CaptureError.Site,
                                        _ call: (UnsafeMutablePointer<CChar>) -> OpaquePointer?) throws -> OpaquePointer {
        var buffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        if let pointer = buffer.withUnsafeMutableBufferPointer({ call($0.baseAddress!) }) { return pointer }
        let message = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        throw CaptureError(operation, site: site, message: message.isEmpty ? "unknown error" : message)
    }
}

extension CaptureError.Site {
    var isFile: Bool { if case .file = self { true } else { false } }
}

extension String {
    var trimmingTrailingSpace: String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
