import Foundation
import LabBackends
import LabScenario
import LabSystem
import LabTopology
import LabTraffic

/// Checks before a run touches anything: privileges, tools, kernel support. Each failure is one line
/// that says what is missing and how to get it, and nothing has been installed when it is thrown.
public enum Preflight {
    public static func requireRunnable(scenario: Scenario, backends: Set<BackendKind>) throws {
        try Privileges.requireRoot(for: "benchlab run")
        try ToolLocator.require(tools(for: scenario))
        try requireNamespacesAndVeth()
        try ConntrackPreflight.check(scenario: scenario, backends: backends)
    }

    /// The programs a scenario's workloads and topology need.
    public static func tools(for scenario: Scenario) -> [String] {
        var tools = ["ip"]
        for tool in scenario.variants.flatMap(\.workloads).flatMap(\.requiredTools) where !tools.contains(tool) {
            tools.append(tool)
        }
        return tools
    }

    /// Makes and removes a throwaway namespace with a veth pair: the cheapest proof that this kernel
    /// has network namespaces and veth, without assuming from a version number.
    public static func requireNamespacesAndVeth() throws {
        guard FileManager.default.fileExists(atPath: "/proc/self/ns/net") else {
            throw LabFailure("this kernel has no network namespaces (CONFIG_NET_NS)", exitStatus: .missingFeature)
        }
        try withProbeNamespace(command: "benchlab preflight") { _ in }
    }

    /// Runs `body` in a fresh namespace holding the up veth pair `probeInterfaces`, then removes it.
    /// The namespace has its own journal like any lab object, so a crash here is undone by `clean`
    /// and a concurrent `clean` sees a live owner and leaves it alone.
    public static func withProbeNamespace<T>(command: String, _ body: (String) throws -> T) throws -> T {
        let id = "pf\(LabNames.newID())"
        let journal = try Journal.create(id: id, command: command)
        defer { journal.close() }
        let namespace = "\(LabNames.prefix)-\(id)"
        try journal.record(.deleteNamespace(namespace))
        try IPCommand.run(["netns", "add", namespace], doing: "create a probe namespace")
        try requireVeth(in: namespace)
        return try body(namespace)
    }

    /// The probe pair `requireVeth` leaves up in the namespace it was given (gone with the namespace).
    public static let probeInterfaces = ("blpf0", "blpf1")

    /// Creates an up veth pair `probeInterfaces` inside `namespace`, or says the kernel lacks veth.
    public static func requireVeth(in namespace: String) throws {
        let (a, b) = probeInterfaces
        let result = try Subprocess.run(Command("ip", ["-n", namespace, "link", "add", a, "type", "veth", "peer", "name", b]),
                                        timeout: 10)
        guard result.succeeded else {
            throw LabFailure("cannot create a veth pair (\(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))): the kernel needs CONFIG_VETH",
                             exitStatus: .missingFeature)
        }
        try IPCommand.batch(["link set \(a) up", "link set \(b) up"], in: namespace)
    }
}
