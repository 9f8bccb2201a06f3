/// A policy compiled into one backend's own form: the exact text fed to its bulk loader (an
/// iptables-restore file, an nft script, an ipset restore file) or a dump of BPF map contents.
/// Inspectable and golden-tested; the same artifact is what `install` loads.
public struct BackendArtifact: Sendable, Equatable {
    /// File name suffix for saving it next to the results ("rules", "nft", "ipset", "maps").
    public var kind: String
    public var text: String

    public init(kind: String, text: String) {
        self.kind = kind
        self.text = text
    }
}

/// Packets the filter itself saw, by verdict, since install.
public struct FilterCounters: Sendable, Equatable {
    public var allowedPackets: UInt64
    public var deniedPackets: UInt64

    public init(allowedPackets: UInt64, deniedPackets: UInt64) {
        self.allowedPackets = allowedPackets
        self.deniedPackets = deniedPackets
    }
}
