import CLibBPF
import LabNetwork
import LabPolicy

/// One entry of the SNAT's egress selection trie (bl_nat_selection): a pod source prefix and what
/// this gateway does with it.
public struct SNATSelectionEntry: Hashable, Sendable, CustomStringConvertible {
    public let prefix: IPv4Prefix
    public let translate: Bool

    public init(prefix: IPv4Prefix, translate: Bool) {
        self.prefix = prefix
        self.translate = translate
    }

    public var description: String { "\(prefix) \(translate ? "translate" : "drop")" }

    var key: bl_nat_selection_key {
        var key = bl_nat_selection_key()
        key.prefixlen = UInt32(prefix.length)
        key.addr = prefix.address.value.bigEndian
        return key
    }

    var value: bl_nat_selection {
        bl_nat_selection(action: translate ? BL_NAT_TRANSLATE.rawValue : BL_NAT_DROP.rawValue)
    }
}

/// The gateway's egress rules (`SNATPolicy.gatewayVerdicts`) as LPM trie entries. The trie answers
/// with the longest prefix, the policy with the first rule: a later rule's prefix inside (or equal
/// to) an earlier rule's prefix can never decide, so it is shadowed and left out; every prefix kept
/// then decides exactly the addresses its rule is first for (a longer kept prefix always belongs to
/// an earlier rule). Drop entries are kept: they shadow later translate rules that contain them.
/// A source in no entry is dropped by the program.
public enum SNATSelection {
    public static func entries(_ policy: SNATPolicy) -> [SNATSelectionEntry] {
        var kept: [SNATSelectionEntry] = []
        for (rule, verdict) in policy.gatewayVerdicts {
            let translate = if case .translate = verdict { true } else { false }
            for prefix in rule.sources where !kept.contains(where: { $0.prefix.contains(prefix) }) {
                kept.append(SNATSelectionEntry(prefix: prefix, translate: translate))
            }
        }
        return kept
    }
}
