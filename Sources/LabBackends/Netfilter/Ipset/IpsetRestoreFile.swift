import LabNetwork
import LabPolicy

/// ipset's side of the iptables-ipset backend: names, sizes and the `ipset restore` text.
enum IpsetRestoreFile {
    /// ipset names hold at most IPSET_MAXNAMELEN - 1 = 31 characters (include/uapi/linux/netfilter/ipset/ip_set.h).
    static let maximumNameLength = 31

    /// `bl-<tag>-c<clause>`: the lab prefix, the backend instance's tag, the clause index. Sets live
    /// per network namespace and a namespace belongs to one topology, so the tag keeps two backend
    /// instances (or a leftover of a failed removal) apart within it.
    static func setName(tag: String, clause: Int) -> String {
        let name = "bl-\(tag)-c\(clause)"
        precondition(name.utf8.count <= maximumNameLength, "ipset name \(name) exceeds \(maximumNameLength) characters")
        return name
    }

    static func namePrefix(tag: String) -> String { "bl-\(tag)-" }

    /// The kernel's hash:net starts with `hashsize` buckets (a power of two, default 1024) and doubles
    /// the table whenever one bucket overflows, rehashing every element. Starting with a bucket per
    /// element keeps a bulk load from resizing at all; `maxelem` (default 65536) is twice the size,
    /// so updates have room and a 100k list fits.
    static func sizing(elements: Int) -> (hashsize: Int, maxelem: Int) {
        var hashsize = 1024
        while hashsize < elements { hashsize *= 2 }
        return (hashsize, max(65536, 2 * elements))
    }

    /// `create` + `add` lines for every set of the chain, in chain order.
    static func restoreText(_ sets: [(name: String, prefixes: [IPv4Prefix])]) -> String {
        var lines: [String] = []
        lines.reserveCapacity(sets.reduce(0) { $0 + $1.prefixes.count + 1 })
        for set in sets {
            let size = sizing(elements: set.prefixes.count)
            lines.append("create \(set.name) hash:net family inet hashsize \(size.hashsize) maxelem \(size.maxelem)")
            for prefix in set.prefixes { lines.append("add \(set.name) \(prefix)") }
        }
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }
}
