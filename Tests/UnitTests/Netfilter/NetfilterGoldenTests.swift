import Foundation
import LabBackends
import LabPolicy
import Testing

/// The netfilter backends' artifacts are the files their loaders read; a change to one must be a
/// visible diff in review. Set BENCHLAB_UPDATE_GOLDEN=1 to rewrite the golden files from the current
/// output (the test then fails once, so an update is never silent).
@Suite("Netfilter artifacts against golden files")
struct NetfilterGoldenTests {
    static let backends: [(name: String, make: @Sendable () -> any FilterBackend)] = [
        ("iptables-legacy", { IptablesBackend(variant: .legacy) }),
        ("iptables-nft", { IptablesBackend(variant: .nft) }),
        ("iptables-ipset", { IptablesIpsetBackend(tag: "golden") }),
        ("nftables", { NftablesBackend() }),
    ]

    static let cases: [(String, Action)] = backends.flatMap { backend in [(backend.name, Action.deny), (backend.name, .allow)] }

    static func backend(_ name: String) -> any FilterBackend {
        backends.first { $0.name == name }!.make()
    }

    @Test("a policy using every feature compiles to the golden file", arguments: cases)
    func golden(backendName: String, defaultAction: Action) throws {
        let backend = Self.backend(backendName)
        let artifact = try backend.compile(NetfilterFixtures.features(default: defaultAction))
        let file = "\(backendName)-default-\(defaultAction.rawValue)"
        try Golden.check(artifact.text, against: Golden.directory.appendingPathComponent("netfilter/\(file).\(artifact.kind)"))
    }

    /// A stateful ruleset is only whole once installed (its interface rules need the filter point),
    /// so the golden file holds every load `install` runs at the routed topology's point, each under
    /// the command that reads it.
    @Test("a stateful policy's install loads match the golden file", arguments: cases)
    func statefulGolden(backendName: String, defaultAction: Action) throws {
        let backend = Self.backend(backendName) as! any NetfilterBackend
        var policy = NetfilterFixtures.features(default: defaultAction)
        policy.tracking = ConnectionTracking()
        let artifact = try backend.compile(policy)
        let loads = try backend.installLoads(artifact, at: NetfilterFixtures.routedPoint)
        let text = loads.map { "#### \(([$0.tool] + $0.arguments).joined(separator: " "))\n\($0.input)" }.joined()
        let file = "\(backendName)-stateful-default-\(defaultAction.rawValue)"
        try Golden.check(text, against: Golden.directory.appendingPathComponent("netfilter/\(file).\(artifact.kind)"))
    }

    @Test("a stateful policy cannot be attached where the point does not forward", arguments: backends.map(\.name))
    func statefulNeedsForwarding(backendName: String) throws {
        let backend = Self.backend(backendName) as! any NetfilterBackend
        var policy = NetfilterFixtures.features(default: .deny)
        policy.tracking = ConnectionTracking()
        let artifact = try backend.compile(policy)
        // Checked before anything runs: no namespace is needed to see the refusal.
        #expect(throws: BackendUnsupported.self) { try backend.install(artifact, policy: policy, at: NetfilterFixtures.pairPoint) }
        if backendName != "nftables" {
            #expect(throws: (any Error).self) { try backend.installLoads(artifact, at: NetfilterFixtures.pairPoint) }
        }
    }

    @Test("compiling is deterministic: two backends, two runs, one text", arguments: backends.map(\.name))
    func deterministic(backendName: String) throws {
        let policy = try NetfilterFixtures.generated(300)
        #expect(try Self.backend(backendName).compile(policy) == Self.backend(backendName).compile(policy))
    }

    /// Counts prove the shape (one rule per prefix for the linear chain, one set for the others); the
    /// fingerprint pins the exact text without a megabyte of golden file.
    @Test("a generated 1000-rule policy has the expected shape and fingerprint", arguments: [
        ("iptables-legacy", "-A BLPOLICY -s ", 1000, "aafaf9aa00257a66"),
        ("iptables-nft", "-A BLPOLICY -s ", 1000, "1b100d49466601b4"),
        ("iptables-ipset", "add bl-golden-c0 ", 1000, "ba7e26ecf1f20dde"),
        ("nftables", "\t\t\t198.", 1000, "27bdb0ea35a37b7f"),
    ])
    func generated(backendName: String, linePrefix: String, count: Int, fingerprint: String) throws {
        let text = try Self.backend(backendName).compile(NetfilterFixtures.generated()).text
        let lines = text.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix(linePrefix) }.count == count)
        #expect(lines.count < count + 20, "the rest of the artifact is a handful of lines")
        #expect(NetfilterFixtures.fingerprint(text) == fingerprint)
    }
}
