import Foundation

/// What a netfilter tool says about itself in `--version`, e.g. `iptables v1.8.9 (nf_tables)`,
/// `ipset v7.17, protocol version: 7`, `nftables v1.0.6 (Lester Gooch #5)`.
struct ToolVersion: Equatable, Sendable {
    /// "1.8.9"
    var version: String?
    /// The parenthesised word: iptables' backend ("legacy" or "nf_tables"), nft's release name.
    var flavour: String?

    init(version: String?, flavour: String?) {
        self.version = version
        self.flavour = flavour
    }

    init(_ text: String) {
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        version = line.split(separator: " ").first { $0.hasPrefix("v") && $0.dropFirst().first?.isNumber == true }
            .map { String($0.dropFirst()).trimmingCharacters(in: [","]) }
        if let open = line.firstIndex(of: "("), let close = line[open...].firstIndex(of: ")") {
            flavour = String(line[line.index(after: open)..<close])
        }
    }
}
