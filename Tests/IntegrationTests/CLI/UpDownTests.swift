import Foundation
import LabBPF
import LabSystem
import LabTestSupport
import LabTopology
import Testing

extension KernelTests {
    /// `benchlab up` leaves a lab for people to poke at — which means its eBPF attachment must outlive
    /// the process (a pinned link) — and `down` takes all of it away again.
    @Suite("benchlab up and down")
    struct UpDownTests {
        let binary = TestEnvironment.benchlabBinary
        let scenarios = "\(TestEnvironment.packageRoot)/scenarios"

        func benchlab(_ arguments: [String]) throws -> CommandResult {
            try Subprocess.run(Command(binary, arguments, environment: ["BENCHLAB_SCENARIOS": scenarios]), timeout: 60)
        }

        @Test("an xdp lab stays attached after `up` exits, decides as printed, and `down` removes it all",
              .enabled(if: ToolLocator.exists("ping"), "ping (iputils-ping) is not installed"))
        func xdpLab() throws {
            let up = try benchlab(["up", "ci-smoke", "--backend", "xdp"])
            #expect(up.status == 0, "\(up.stderr)")
            let id = try #require(up.stdout.split(separator: " ").dropFirst().first.map(String.init))
            defer { _ = try? benchlab(["down", id]) }

            let dut = InterfaceTarget(interface: "bl\(id)-d0", namespace: "bl-\(id)-dut")
            #expect(try XDPState.query(dut).mode == .native, "the XDP program must survive the up process")
            #expect(FileManager.default.fileExists(atPath: "\(BPFPinRoot.path)/\(id)/xdp_link"))

            // The printed examples are commands with the verdict they should get.
            let examples = up.stdout.split(separator: "\n").filter { $0.contains("ping -c1") }
            #expect(examples.count >= 2)
            for line in examples {
                let parts = line.components(separatedBy: "#")
                let arguments = parts[0].split(separator: " ").map(String.init)
                let result = try Subprocess.run(Command(arguments[0], Array(arguments.dropFirst())), timeout: 10)
                let expected = parts[1].trimmingCharacters(in: .whitespaces)
                #expect((result.succeeded ? "allow" : "deny") == expected, "\(line)")
            }

            let down = try benchlab(["down", id])
            #expect(down.status == 0, "\(down.stderr)")
            #expect(down.stdout == "removed lab \(id)\n")
            #expect(Leftovers.namespaces().isEmpty)
            #expect(!FileManager.default.fileExists(atPath: "\(BPFPinRoot.path)/\(id)"))
            #expect(!BPFPinRoot.isMounted, "the pin root is unmounted once no lab pins anything")
            #expect(!FileManager.default.fileExists(atPath: BPFPinRoot.path), "and its mount point removed")
        }

        @Test("`down` of an unknown lab is bad input, and `up` of a sweep asks which point")
        func badInput() throws {
            let down = try benchlab(["down", "nosuch"])
            #expect(down.status == ExitStatus.badInput.rawValue)
            #expect(down.stderr.hasPrefix("benchlab: no lab nosuch is up"))
            let up = try benchlab(["up", "quick"])
            #expect(up.status == ExitStatus.badInput.rawValue)
            #expect(up.stderr == "benchlab: scenario quick sweeps rules (10, 1000, 10000): pick one point with --set, e.g. --set rules=10\n")
            #expect(Leftovers.namespaces().isEmpty)
        }
    }
}
