import LabPolicy
import LabResults
import LabSystem
import LabTopology

/// A policy compiled into one backend's own form: the exact text fed to its bulk loader (an
/// iptables-restore file, an nft script, an ipset restore file) or a dump of BPF map contents.
/// Inspectable and golden-tested; the same artifact is what `install` loads.
public struct BackendArtifact: Sendable, Equatable {
    /// File name suffix for saving it next to the results ("rules", "nft", "ipset", "maps").
    public var kind: String
    public var text: String

    public init(kind: String, text: String) {
        self.kind = kind
        self.text = text
    }
}

/// Packets the filter itself saw, by verdict, since install.
public struct FilterCounters: Sendable, Equatable {
    public var allowedPackets: UInt64
    public var deniedPackets: UInt64

    public init(allowedPackets: UInt64, deniedPackets: UInt64) {
        self.allowedPackets = allowedPackets
        self.deniedPackets = deniedPackets
    }
}

/// One way to enforce a `Policy` at a `FilterPoint`. Each backend is its own type; the runner only
/// sees this protocol. Install and update times are measured around the backend's own atomic bulk
/// path, so they are the numbers an operator would see.
public protocol FilterBackend: AnyObject {
    var kind: BackendKind { get }

    /// Pure: the policy in this backend's form. Throws `BackendUnsupported` for a policy it cannot express.
    func compile(_ policy: Policy) throws -> BackendArtifact

    /// Installs the compiled policy; returns the time taken in milliseconds.
    func install(_ artifact: BackendArtifact, policy: Policy, at point: FilterPoint) throws -> Double

    /// Adds `rule` in front of the installed policy; returns the time taken in milliseconds.
    func update(adding rule: Rule, at point: FilterPoint) throws -> Double

    /// Removes everything `install` and `update` added. Idempotent.
    func remove(at point: FilterPoint) throws

    func counters(at point: FilterPoint) throws -> FilterCounters

    /// Facts in effect after install, for run.json's gates (e.g. "xdp_mode": "native").
    var gates: [String: String] { get }

    /// Warnings a reader must see beside this backend's numbers (e.g. XDP on veth and GRO/TSO).
    var caveats: [String] { get }

    /// Measurements the backend makes itself on the installed policy, outside any traffic (e.g.
    /// BPF_PROG_TEST_RUN nanoseconds per packet). Recorded under the workload "policy".
    func microbenchmarks(policy: Policy) throws -> [Sample]

    /// How many entries the kernel holds for this policy in this backend's form (chain rules, set
    /// elements after merging, map entries): the size each technology actually searches. nil when
    /// it has no meaning (`none`).
    func installedEntries(policy: Policy) throws -> Int?

    /// Starts counting the kernel's own run time of the backend's programs, if it can; the runner
    /// drives a short burst of traffic and then asks the window for nanoseconds per run.
    func startRunTimeWindow() throws -> (any RunTimeWindow)?
}

/// A span during which a backend's programs are timed by the kernel.
public protocol RunTimeWindow: AnyObject {
    /// Mean nanoseconds per program run since the window opened; nil if it never ran.
    func finish() throws -> Double?
}

extension FilterBackend {
    public var caveats: [String] { [] }
    public func microbenchmarks(policy: Policy) throws -> [Sample] { [] }
    public func installedEntries(policy: Policy) throws -> Int? { nil }
    public func startRunTimeWindow() throws -> (any RunTimeWindow)? { nil }
}

/// The backend cannot express this policy or does not exist on this host; the case is reported as
/// "not supported by X", never silently skipped.
public struct BackendUnsupported: LabError {
    public let backend: BackendKind
    public let reason: String
    public init(_ backend: BackendKind, _ reason: String) {
        self.backend = backend
        self.reason = reason
    }
    public var exitStatus: ExitStatus { .missingFeature }
    public var description: String { "not supported by \(backend.rawValue): \(reason)" }
}

/// The baseline of every comparison: no filter at all. It must still behave like a backend so the
/// runner treats all cases alike; its policy is, by definition, "allow everything".
public final class NoneBackend: FilterBackend {
    public init() {}
    public var kind: BackendKind { .none }
    public func compile(_ policy: Policy) throws -> BackendArtifact {
        BackendArtifact(kind: "txt", text: "# none: no filter installed; every packet is allowed\n")
    }
    public func install(_ artifact: BackendArtifact, policy: Policy, at point: FilterPoint) throws -> Double { 0 }
    public func update(adding rule: Rule, at point: FilterPoint) throws -> Double { 0 }
    public func remove(at point: FilterPoint) throws {}
    public func counters(at point: FilterPoint) throws -> FilterCounters { FilterCounters(allowedPackets: 0, deniedPackets: 0) }
    public var gates: [String: String] { [:] }
}

/// Makes the backend for a kind, or says why it cannot.
public enum BackendFactory {
    public static func make(_ kind: BackendKind) throws -> any FilterBackend {
        switch kind {
        case .none: return NoneBackend()
        case .iptablesLegacy: return IptablesBackend(variant: .legacy)
        case .iptablesNft: return IptablesBackend(variant: .nft)
        case .iptablesIpset: return IptablesIpsetBackend()
        case .nftables: return NftablesBackend()
        case .xdp: return BPFBackend(variant: .xdp)
        case .tc: return BPFBackend(variant: .tc)
        }
    }
}
