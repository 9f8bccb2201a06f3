import LabPolicy
import LabTopology

/// The iptables-restore text of a policy chain and the edits made to it. Everything is loaded with
/// `--noflush`: only the lines written here change the table, whatever else it holds.
enum IptablesRestoreFile {
    /// The user chain holding the policy; the filter point's hook jumps to it.
    static let chain = "BLPOLICY"
    /// A stateful policy's connection-state chain: the hook jumps here, and only new flows from the
    /// client side go on to the policy chain (see `StatefulLayout`).
    static let stateChain = "BLSTATE"

    /// The policy chain: declared (created, or flushed when it exists), filled in order, closed by
    /// the default verdict. Not yet reachable: `attaching` adds the jump. A stateful policy also
    /// declares the state chain with its interface-free rules (established and related accepted,
    /// invalid dropped); the interface rules need the filter point and come with the jump.
    /// `table` is the placement's (`IptablesPlacement.table`): raw for a chain hooked before conntrack.
    static func policyChain(_ layout: ChainLayout, comment: [String], stateful: Bool = false, table: String = "filter") -> String {
        var lines = comment.map { "# \($0)" }
        lines.reserveCapacity(layout.rules.count + comment.count + 9)
        lines.append("*\(table)")
        lines.append(":\(chain) - [0:0]")
        if stateful { lines.append(":\(stateChain) - [0:0]") }
        for rule in layout.rules { lines.append("-A \(chain) \(IptablesRuleSyntax.arguments(rule))") }
        lines.append("-A \(chain) -j \(IptablesRuleSyntax.verdict(layout.defaultAction))")
        if stateful {
            lines.append("-A \(stateChain) -m conntrack --ctstate \(StatefulLayout.passingStates.map { $0.uppercased() }.joined(separator: ",")) -j ACCEPT")
            lines.append("-A \(stateChain) -m conntrack --ctstate INVALID -j DROP")
        }
        lines.append("COMMIT")
        return lines.joined(separator: "\n") + "\n"
    }

    /// What `attaching` adds, for the artifact's comment.
    static func attachmentSummary(stateful: Bool, placement: IptablesPlacement = .filter) -> String {
        guard stateful else {
            let notrack = placement == .filterNotrack ? ", then *raw -A PREROUTING -i <ingress> -j CT --notrack" : ""
            return "-A \(placement.hookChainSummary) -i <ingress> -j \(chain) before COMMIT" + notrack
        }
        return "-A \(stateChain) -i <ingress> -m conntrack --ctstate NEW -j \(chain), -A \(stateChain) -i <egress> -j DROP, "
            + "-A FORWARD -j \(stateChain) before COMMIT"
    }

    /// Whether a `policyChain` text is a stateful one (it declares the state chain).
    static func isStateful(_ text: String) -> Bool { text.contains("\n:\(stateChain) - [0:0]\n") }

    /// `text` with the jump from the filter point's hook spliced in before its COMMIT, so the chain
    /// and its attachment land in one commit: one table replacement (legacy) or one netlink
    /// batch (nft); the chain is never reachable half-filled. nil for a text that is not a
    /// `policyChain` (it must end with its COMMIT), or a stateful one for a point without an
    /// egress interface or at a placement that has no state. A NOTRACK placement adds its raw rule
    /// as a second table in the same file: iptables-restore commits each table in turn, the policy
    /// chain first, so the policy is in force before conntrack is bypassed.
    static func attaching(_ text: String, at point: FilterPoint, placement: IptablesPlacement = .filter) -> String? {
        guard text.hasSuffix("\nCOMMIT\n") else { return nil }
        let body = text.dropLast("COMMIT\n".count)
        guard isStateful(text) else {
            let notrack = placement.notrackSpecification(point).map { "*raw\n-A \($0)\nCOMMIT\n" } ?? ""
            return body + "-A \(jumpSpecification(point, placement: placement))\nCOMMIT\n" + notrack
        }
        guard let egress = point.egressInterface, point.hook == .forward, placement.supportsState else { return nil }
        return body + """
            -A \(stateChain) -i \(point.ingressInterface) -m conntrack --ctstate NEW -j \(chain)
            -A \(stateChain) -i \(egress) -j DROP
            -A \(placement.hookChain(point)) -j \(stateChain)
            COMMIT

            """
    }

    /// The jump rule without its `-A`/`-D`: only packets entering the ingress interface (the
    /// client's side) are governed; replies come in through the other interface and pass.
    static func jumpSpecification(_ point: FilterPoint, placement: IptablesPlacement = .filter) -> String {
        "\(placement.hookChain(point)) -i \(point.ingressInterface) -j \(chain)"
    }

    /// One rule put in front of the policy chain.
    static func insertion(_ rule: NetfilterRule, table: String = "filter") -> String {
        "*\(table)\n-I \(chain) 1 \(IptablesRuleSyntax.arguments(rule))\nCOMMIT\n"
    }

    /// Undoes `policyChain` + `attaching` as found in the table: the jumps first (a chain still
    /// referenced cannot be deleted), then the chain. nil when there is nothing to undo.
    static func removal(jumps: [String], chainExists: Bool) -> String? {
        removal(jumps: jumps, chains: chainExists ? [chain] : [])
    }

    /// The general form: every chain is flushed before any is deleted (the state chain jumps to the
    /// policy chain, so neither can go while the other still holds that rule).
    static func removal(jumps: [String], chains: [String], table: String = "filter") -> String? {
        guard !jumps.isEmpty || !chains.isEmpty else { return nil }
        var lines = ["*\(table)"]
        lines += jumps.map { "-D \($0)" }
        lines += chains.map { "-F \($0)" }
        lines += chains.map { "-X \($0)" }
        lines.append("COMMIT")
        return lines.joined(separator: "\n") + "\n"
    }
}
