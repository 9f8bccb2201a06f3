#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LabSystem
import LabTestSupport
import LabTopology
import Testing

extension KernelTests {
    @Suite("clean and zombie owners")
    struct ZombieOwnerCleanTests {
        @Test("a journal whose owner is a zombie is replayed: its namespace is removed, not left as a live run's")
        func zombieOwnerIsDead() throws {
            // The zombie is this test's own child: it exits at once and is not waited for until the
            // end, so it stays in state Z (with its pid and /proc entry) for as long as the cleaner runs.
            let zombie = try Self.spawnExitingChild()
            defer { var status: Int32 = 0; _ = waitpid(zombie, &status, 0) }
            let stat = try #require(try Self.waitForZombie(zombie), "pid \(zombie) never became a zombie")
            #expect(stat.state == "Z")

            let id = "t\(LabNames.newID())"
            let namespace = LabNames.namespace(id, node: "cli")
            let state = try TestEnvironment.temporaryDirectory("zombie-state")
            defer { try? FileManager.default.removeItem(atPath: state) }
            let journal = try Journal.create(id: id, command: "crashed run", root: state,
                                             owner: ProcessIdentity(pid: zombie, startTime: stat.startTime))
            try journal.record(.deleteNamespace(namespace))
            try Subprocess.run(Command("ip", ["netns", "add", namespace]), timeout: 10).requireSuccess("create \(namespace)")
            defer { _ = try? Subprocess.run(Command("ip", ["netns", "del", namespace]), timeout: 10) }
            #expect(Namespaces.exists(namespace))

            // `only:` keeps the cleaner to this journal: other runs may share the machine.
            let report = LabCleaner(stateDirectory: state, pinDirectory: state).clean(only: [id])
            #expect(ProcessStat.read(pid: zombie)?.state == "Z", "the owner must still be a zombie while clean runs")
            #expect(report.liveRuns.isEmpty, "\(report)")
            #expect(report.journalsReplayed == [id])
            #expect(report.namespacesRemoved == [namespace])
            #expect(report.failures.isEmpty, "\(report.failures)")
            #expect(!Namespaces.exists(namespace))
            #expect(!FileManager.default.fileExists(atPath: "\(state)/\(id)"))
        }

        /// posix_spawn of /bin/true, not waited for.
        static func spawnExitingChild() throws -> pid_t {
            var pid: pid_t = 0
            let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
            defer { for argument in argv { free(argument) } }
            let rc = posix_spawn(&pid, "/bin/true", nil, nil, argv, environ)
            guard rc == 0 else { throw LabFailure("spawn /bin/true: \(String(cString: strerror(rc)))") }
            return pid
        }

        static func waitForZombie(_ pid: pid_t) throws -> ProcessStat? {
            let deadline = Deadline(secondsFromNow: 5)
            while !deadline.hasPassed {
                if let stat = ProcessStat.read(pid: pid), stat.hasExited { return stat }
                usleep(10_000)
            }
            return nil
        }
    }
}
