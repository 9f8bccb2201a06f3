/// How every netfilter backend lays out a stateful policy, as stateful firewalls are written:
///
///  1. packets of tracked flows (`established`, and `related` ICMP errors about them) are accepted
///     first, in both directions — the bulk of the traffic leaves after one conntrack lookup;
///  2. `invalid` packets are dropped: with nf_conntrack_tcp_loose=0 (set in the policy namespace),
///     a TCP packet that neither opens (SYN) nor continues a tracked flow is invalid, and so is an
///     ICMP echo reply nobody asked for;
///  3. new flows entering from the client side go through the policy chain (an accepted one is
///     then tracked: conntrack confirms it when the packet leaves);
///  4. anything else from the server side is dropped: the server may only answer.
///
/// The state rules live in their own chain (`blstate` / `BLSTATE`); the policy chain is the
/// stateless one unchanged, so its counters still count the rules' verdicts, now once per flow.
enum StatefulLayout {
    /// conntrack states accepted before any rule is looked at.
    static let passingStates = ["related", "established"]
}
