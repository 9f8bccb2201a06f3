import LabSystem

/// A libpcap failure with what was being done, where (interface and namespace, or a file), and
/// libpcap's own message (pcap_geterr, or the error buffer of a call that has no handle yet).
public struct CaptureError: LabError, Equatable {
    /// Where the capture was: a live interface inside a lab namespace, or a savefile.
    public enum Site: Sendable, Equatable, CustomStringConvertible {
        case live(interface: String, namespace: String)
        case file(String)

        public var description: String {
            switch self {
            case .live(let interface, let namespace): "on \(interface) in namespace \(namespace)"
            case .file(let path): "file \(path)"
            }
        }
    }

    public let operation: String
    public let site: Site
    public let message: String
    /// pcap_activate's status (PCAP_ERROR_PERM_DENIED, …) when there is one: it decides the exit status.
    public let status: Int32?

    public init(_ operation: String, site: Site, message: String, status: Int32? = nil) {
        self.operation = operation
        self.site = site
        self.message = message
        self.status = status
    }

    public var exitStatus: ExitStatus {
        // PCAP_ERROR_PERM_DENIED (-8): no CAP_NET_RAW; PCAP_ERROR_NO_SUCH_DEVICE (-5) is a lab bug, not a permission.
        status == -8 ? .notPermitted : .failure
    }

    public var description: String { "\(operation) \(site): \(message)" }
}
