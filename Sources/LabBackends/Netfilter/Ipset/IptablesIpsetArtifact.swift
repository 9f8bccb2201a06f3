import Foundation

/// The iptables-ipset artifact: two loader inputs in one inspectable text, each under a marker line
/// naming the tool that reads it. Both loaders skip '#' lines, so each section is fed as it stands.
struct IptablesIpsetArtifact: Equatable {
    static let ipsetMarker = "#### ipset restore"
    static let iptablesMarker = "#### iptables-nft-restore -w --noflush"

    /// `ipset restore` input; empty when no clause needs a set.
    var ipset: String
    /// `iptables-nft-restore` input (the policy chain, not yet attached).
    var iptables: String

    init(ipset: String, iptables: String) {
        self.ipset = ipset
        self.iptables = iptables
    }

    var text: String { "\(Self.ipsetMarker)\n\(ipset)\(Self.iptablesMarker)\n\(iptables)" }

    /// Splits a text made by `text`; nil for anything else.
    init?(text: String) {
        let head = "\(Self.ipsetMarker)\n"
        let marker = "\(Self.iptablesMarker)\n"
        guard text.hasPrefix(head) else { return nil }
        let body = text.dropFirst(head.count)
        let split: Range<Substring.Index>
        if body.hasPrefix(marker) {
            split = body.startIndex..<body.index(body.startIndex, offsetBy: marker.count)
        } else if let found = body.range(of: "\n\(marker)") {
            split = body.index(after: found.lowerBound)..<found.upperBound
        } else {
            return nil
        }
        ipset = String(body[..<split.lowerBound])
        iptables = String(body[split.upperBound...])
    }
}
