import LabNetwork
import LabPolicy
import Yams

/// Reads of the values policies are made of: prefixes, ports, and the protocol a port needs.
extension ValueReader {
    /// "198.18.0.0/15" or a bare address (a /32). Host bits must be zero: nft and ipset would quietly
    /// mask them, and the rule would then not say what it matches.
    func prefix(_ node: Node, _ subject: String) -> (prefix: IPv4Prefix, site: Site)? {
        guard let value = scalar(node, subject, expected: "an IPv4 address or prefix") else { return nil }
        if let prefix = IPv4Prefix(value.text) { return (prefix, value.site) }
        if let network = networkIgnoringHostBits(value.text) {
            log.error("\(subject) \(excerpt(value.text)) has host bits set (did you mean \(network)?)", at: value.site)
        } else {
            log.error("\(subject) must be an IPv4 address or prefix such as 198.18.0.0/15, got \(value.shown)", at: value.site)
        }
        return nil
    }

    private func networkIgnoringHostBits(_ text: String) -> IPv4Prefix? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4Address(parts[0]), isIntegerText(String(parts[1])),
              let length = UInt8(parts[1]), length <= 32 else { return nil }
        return IPv4Prefix(address: IPv4Address(address.value & IPv4Prefix.mask(length)), length: length)
    }

    /// A port (`5201`) or an inclusive range (`8000-8080`), with the site to blame it on.
    func ports(_ node: Node, _ subject: String) -> (ports: PortRange, site: Site)? {
        guard let value = scalar(node, subject, expected: "a port or a port range") else { return nil }
        let bounds = value.text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard !value.isNull, bounds.count <= 2, bounds.allSatisfy({ !$0.hasPrefix("+") && isIntegerText($0) }) else {
            log.error("\(subject) must be a port (1-65535) or a range such as 8000-8080, got \(value.shown)", at: value.site)
            return nil
        }
        let numbers = bounds.map { Int($0) ?? Int.max }
        guard numbers.allSatisfy({ (1...65535).contains($0) }) else {
            let what = numbers.count == 1 ? "" : " ports"
            log.error("\(subject)\(what) must be between 1 and 65535, got \(excerpt(value.text))", at: value.site)
            return nil
        }
        guard let range = PortRange(UInt16(numbers[0]), UInt16(numbers[numbers.count - 1])) else {
            log.error("\(subject) range \(excerpt(value.text)) is empty (write the lower port first)", at: value.site)
            return nil
        }
        return (range, value.site)
    }

    /// The `proto` and `dport` keys of a rule or generator: a port needs TCP or UDP.
    func protocolAndPorts(_ fields: MappingFields) -> (proto: IPProtocol, ports: PortRange?)? {
        var proto = IPProtocol.any
        var protoSite: Site?
        if let node = fields["proto"] {
            guard let value = scalar(node, subject("proto"), expected: choiceList(IPProtocol.allCases.map(\.rawValue))),
                  let chosen: IPProtocol = choice(value, subject("proto"), noun: "protocol") else { return nil }
            proto = chosen
            protoSite = value.site
        }
        guard let node = fields["dport"] else { return (proto, nil) }
        guard let (ports, portSite) = ports(node, subject("dport")) else { return nil }
        guard proto.hasPorts else {
            // When a parameter chose the protocol, that value is what the user must change.
            let site = protoSite.flatMap { $0.isSubstituted ? $0 : nil } ?? portSite
            let given = protoSite == nil ? "proto is any when not given" : "proto is \(proto.rawValue)"
            log.error("'dport' needs proto tcp or udp (\(given))", at: site)
            return nil
        }
        return (proto, ports)
    }
}
