import LabPolicy
import LabTopology

/// The iptables-restore text of a policy chain and the edits made to it. Everything is loaded with
/// `--noflush`: only the lines written here change the table, whatever else it holds.
enum IptablesRestoreFile {
    /// The user chain holding the policy; the filter point's hook jumps to it.
    static let chain = "BLPOLICY"

    /// The policy chain: declared (created, or flushed when it exists), filled in order, closed by
    /// the default verdict. Not yet reachable: `attaching` adds the jump.
    static func policyChain(_ layout: ChainLayout, comment: [String]) -> String {
        var lines = comment.map { "# \($0)" }
        lines.reserveCapacity(layout.rules.count + comment.count + 6)
        lines.append("*filter")
        lines.append(":\(chain) - [0:0]")
        for rule in layout.rules { lines.append("-A \(chain) \(IptablesRuleSyntax.arguments(rule))") }
        lines.append("-A \(chain) -j \(IptablesRuleSyntax.verdict(layout.defaultAction))")
        lines.append("COMMIT")
        return lines.joined(separator: "\n") + "\n"
    }

    /// `text` with the jump from the filter point's hook spliced in before its COMMIT, so the chain
    /// and its attachment land in one commit: one table replacement (legacy) or one netlink
    /// batch (nft); the chain is never reachable half-filled. nil for a text that is not a
    /// `policyChain` (it must end with its COMMIT).
    static func attaching(_ text: String, at point: FilterPoint) -> String? {
        guard text.hasSuffix("\nCOMMIT\n") else { return nil }
        return text.dropLast("COMMIT\n".count) + "-A \(jumpSpecification(point))\nCOMMIT\n"
    }

    /// The jump rule without its `-A`/`-D`: only packets entering the ingress interface (the
    /// client's side) are governed; replies come in through the other interface and pass.
    static func jumpSpecification(_ point: FilterPoint) -> String {
        "\(hookChain(point)) -i \(point.ingressInterface) -j \(chain)"
    }

    static func hookChain(_ point: FilterPoint) -> String { point.hook == .forward ? "FORWARD" : "INPUT" }

    /// One rule put in front of the policy chain.
    static func insertion(_ rule: NetfilterRule) -> String {
        "*filter\n-I \(chain) 1 \(IptablesRuleSyntax.arguments(rule))\nCOMMIT\n"
    }

    /// Undoes `policyChain` + `attaching` as found in the table: the jumps first (a chain still
    /// referenced cannot be deleted), then the chain. nil when there is nothing to undo.
    static func removal(jumps: [String], chainExists: Bool) -> String? {
        guard !jumps.isEmpty || chainExists else { return nil }
        var lines = ["*filter"]
        lines += jumps.map { "-D \($0)" }
        if chainExists { lines += ["-F \(chain)", "-X \(chain)"] }
        lines.append("COMMIT")
        return lines.joined(separator: "\n") + "\n"
    }
}
