import LabCapture
import LabSystem
import LabTopology
import LabTraffic

/// `capture: N`: while one workload runs, every server-side interface is captured and its first N
/// frames saved as `<directory>/<label>-<workload>-<interface>.pcap`, for Wireshark. The capture
/// stops reading after N frames, so a flood costs it nothing more; with no count it does nothing.
struct WorkloadCapture {
    var packets: Int?
    var directory: String?
    /// The case and round, e.g. "nftables-r2".
    var label: String

    func around<T>(_ workload: Workload, in context: TrafficContext, _ body: () throws -> T) throws -> T {
        guard let packets, let directory else { return try body() }
        let topology = context.topology
        try AtomicFile.makeDirectory(directory)
        let capture = try ServerSideCapture.start(topology) { interface in
            CaptureOptions(packetLimit: packets, durationSeconds: workload.definition.maximumSeconds + 60,
                           save: (path: "\(directory)/\(Self.fileName(label, workload.name, interface.name))", count: packets))
        }
        let result = Result { try body() }
        _ = try capture.finish()
        return try result.get()
    }

    /// A file name from the parts, with anything but letters, digits, '-', '_' and '.' made '_'.
    static func fileName(_ label: String, _ workload: String, _ interface: String) -> String {
        let raw = "\(label)-\(workload)-\(interface).pcap"
        return String(raw.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "_" })
    }
}
