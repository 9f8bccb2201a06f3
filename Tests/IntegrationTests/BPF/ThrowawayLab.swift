#if canImport(Glibc)
import Glibc
#endif
import LabBPF
import LabPolicy
import LabSystem

/// Two namespaces joined by a veth pair, made for one test and deleted afterwards — also when the
/// test fails or throws (deleting a namespace deletes its veth end and the peer with it, and with
/// them every program attached there):
///
///     bl-t<tag>-cli: bl<tag>c0 198.18.0.1/30  <-veth->  bl<tag>d0 198.18.0.2/30 :bl-t<tag>-dut
///
/// The device under test's interface faces the client, as the filter is attached in a real run.
struct ThrowawayLab {
    let tag: String

    var clientNamespace: String { "bl-t\(tag)-cli" }
    var dutNamespace: String { "bl-t\(tag)-dut" }
    /// Interface names stay within IFNAMSIZ - 1 = 15 characters.
    var clientInterface: String { "bl\(tag)c0" }
    var dutInterface: String { "bl\(tag)d0" }
    var dut: InterfaceTarget { InterfaceTarget(interface: dutInterface, namespace: dutNamespace) }

    static func with<T>(_ body: (ThrowawayLab) throws -> T) throws -> T {
        var random = SystemRandomNumberGenerator()
        let lab = ThrowawayLab(tag: String(random.next() & 0xffff, radix: 16).leftPadded(to: 4))
        defer { lab.tearDown() }
        try lab.setUp()
        return try body(lab)
    }

    private func setUp() throws {
        try ip(["netns", "add", clientNamespace])
        try ip(["netns", "add", dutNamespace])
        try ip(["link", "add", clientInterface, "netns", clientNamespace, "type", "veth",
                "peer", "name", dutInterface, "netns", dutNamespace])
        for (namespace, interface, address) in [(clientNamespace, clientInterface, "198.18.0.1/30"),
                                                (dutNamespace, dutInterface, "198.18.0.2/30")] {
            try ip(["-n", namespace, "address", "add", address, "dev", interface])
            try ip(["-n", namespace, "link", "set", "lo", "up"])
            try ip(["-n", namespace, "link", "set", interface, "up"])
        }
    }

    private func tearDown() {
        for namespace in [clientNamespace, dutNamespace] {
            _ = try? Subprocess.run(Command("ip", ["netns", "delete", namespace]), timeout: 20)
        }
    }

    func ip(_ arguments: [String]) throws {
        try Subprocess.run(Command("ip", arguments), timeout: 20).requireSuccess("set up test lab \(tag)")
    }

    /// `command` run in the dut namespace; its stdout.
    func inDut(_ executable: String, _ arguments: [String]) throws -> String {
        try Subprocess.run(Command(executable, arguments).inNamespace(dutNamespace), timeout: 20)
            .requireSuccess().stdout
    }

    static func namespaceExists(_ name: String) -> Bool {
        access(NetworkNamespace.path(name), F_OK) == 0
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
