/// The `drop_point` gate every installation records: where in the receive path a denied packet
/// ends, in a reader's words ("iptables raw PREROUTING", "xdp (native)"). It is what tells the rungs
/// of a drop-point ladder apart in run.json and the report, and it is read back from what was
/// actually attached (tc says clsact when it fell back), never from the backend's name alone.
public enum DropPoint {
    public static let gate = "drop_point"

    /// The baseline: nothing filters, the receiving socket reads and discards.
    static let application = "application socket (no filter)"

    static func xdp(mode: String) -> String { "xdp (\(mode))" }
    static func tc(mechanism: String, direction: String = "ingress") -> String { "tc \(direction) (\(mechanism))" }
}
