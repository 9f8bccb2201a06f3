import LabConntrack
import LabPolicy

/// What a packet-rate workload must know about the filter its packets cross, handed over by the
/// runner (traffic code knows no backends): the case's policy, whether it is enforced, and a counter
/// of the filter's drops.
public struct FilterUnderTest {
    /// The case's policy. Sources are chosen by its verdicts, so every backend of a case — `none`
    /// included — is sent the same packets.
    public var policy: Policy
    /// Whether the installed filter enforces `policy`. `none` does not: it delivers every packet,
    /// which is what its packets are expected to do.
    public var enforces: Bool
    /// Packets the filter has dropped so far (a counter that only grows), read just before and just
    /// after the flood; nil when there is no filter to ask.
    public var droppedPackets: (() throws -> UInt64)?
    /// The filter's connection table when its policy is stateful (conntrack workloads read it).
    public var tracker: (any ConnectionTracker)?
    /// The gateways' source NAT when the policy is an SNAT policy (SNAT workloads read and update it),
    /// one per gateway the policy is installed at, the active one first.
    public var translators: [any AddressTranslator]

    public init(policy: Policy, enforces: Bool, tracker: (any ConnectionTracker)? = nil,
                translators: [any AddressTranslator] = [], droppedPackets: (() throws -> UInt64)?) {
        self.policy = policy
        self.enforces = enforces
        self.tracker = tracker
        self.translators = translators
        self.droppedPackets = droppedPackets
    }

    /// The filter's drops since a reading `before` of `droppedPackets` (nil when there was none); a
    /// counter that went backwards (reset) counts as no drop.
    public func droppedSince(_ before: UInt64?) throws -> UInt64? {
        guard let before, let after = try droppedPackets?() else { return nil }
        return after >= before ? after - before : 0
    }

    /// No filter and no policy: every source is allowed, nothing is counted as dropped.
    public static var unfiltered: FilterUnderTest { FilterUnderTest(policy: .allowAll, enforces: false, droppedPackets: nil) }
}
