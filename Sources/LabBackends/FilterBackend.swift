import LabConntrack
import LabPolicy
import LabResults
import LabSystem
import LabTopology

/// One way to enforce a `Policy`. Each backend is its own type; the runner only sees this protocol
/// and the `Installation` it returns. Install and update times are measured around the backend's own
/// atomic bulk path, so they are the numbers an operator would see.
public protocol FilterBackend: AnyObject {
    var kind: BackendKind { get }

    /// Pure: the policy in this backend's form. Throws `BackendUnsupported` for a policy it cannot express.
    func compile(_ policy: Policy) throws -> BackendArtifact

    /// Installs the compiled policy at `point` and returns the handle that owns it from now on.
    func install(_ artifact: BackendArtifact, policy: Policy, at point: FilterPoint) throws -> any Installation
}

/// One policy installed at one attachment point: everything that belongs to that installation (the
/// remembered layout an update extends, BPF objects and links, later conntrack, NAT and service maps)
/// lives here and goes with `remove()`, so two installations never share state.
public protocol Installation: AnyObject {
    var backend: BackendKind { get }
    var point: FilterPoint { get }

    /// Time the install took, in milliseconds; nil when nothing was installed (the baseline).
    var installMilliseconds: Double? { get }

    /// The policy packets crossing `point` meet: the installed one, or allow-all where nothing filters.
    var enforcedPolicy: Policy { get }

    /// Adds `rule` in front of the installed policy; returns the time taken in milliseconds, or nil
    /// when there is no policy to update (the baseline).
    func update(adding rule: Rule) throws -> Double?

    /// Packets the filter itself saw, by verdict, since install.
    func counters() throws -> FilterCounters

    /// Facts in effect after install, for run.json's gates (e.g. "xdp_mode": "native").
    var gates: [String: String] { get }

    /// Warnings a reader must see beside this backend's numbers (e.g. XDP on veth and GRO/TSO).
    var caveats: [String] { get }

    /// Measurements the installation makes on itself, outside any traffic (e.g. BPF_PROG_TEST_RUN
    /// nanoseconds per packet). Recorded under the workload "policy".
    func microbenchmarks() throws -> [Sample]

    /// How many entries the kernel holds for this policy in this backend's form (chain rules, set
    /// elements after merging, map entries): the size each technology actually searches. nil when
    /// it has no meaning (the baseline).
    func installedEntries() throws -> Int?

    /// Starts counting the kernel's own run time of the installation's programs, if it can; the
    /// runner drives a short burst of traffic and then asks the window for nanoseconds per run.
    func startRunTimeWindow() throws -> (any RunTimeWindow)?

    /// Pins what must outlive this process (BPF links) under `directory`, for `benchlab up`.
    /// Netfilter state lives in the namespace itself and needs no pin.
    func pin(under directory: String) throws

    /// The connection table of a stateful installation, for collectors and conntrack workloads;
    /// nil when the installation tracks nothing (a stateless policy, the baseline).
    var tracker: (any ConnectionTracker)? { get }

    /// The source NAT of an SNAT policy's installation, for the SNAT workloads and collectors; nil
    /// when the installation translates nothing.
    var translator: (any AddressTranslator)? { get }

    /// Removes everything the install and its updates added. Idempotent.
    func remove() throws
}

extension Installation {
    /// Whether the installation enforces a policy at all; the baseline does not, so every packet is
    /// expected through it.
    public var enforcesPolicy: Bool { backend.family != .baseline }
    public var caveats: [String] { [] }
    public func microbenchmarks() throws -> [Sample] { [] }
    public func installedEntries() throws -> Int? { nil }
    public func startRunTimeWindow() throws -> (any RunTimeWindow)? { nil }
    public func pin(under directory: String) throws {}
    public var tracker: (any ConnectionTracker)? { nil }
    public var translator: (any AddressTranslator)? { nil }
}

/// A span during which an installation's programs are timed by the kernel.
public protocol RunTimeWindow: AnyObject {
    /// Mean nanoseconds per program run since the window opened; nil if it never ran.
    func finish() throws -> Double?
}
