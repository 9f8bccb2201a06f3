import LabSystem
import Testing

@Suite("/proc/<pid>/stat")
struct ProcessStatTests {
    // Captured on the lab machine (kernel 6.18): a running `cat`, and a `true` that exited while its
    // parent (a shell that exec'd `sleep`) never reaped it.
    static let running = "9440 (cat) R 9438 9438 7107 0 -1 4194304 100 0 0 0 0 0 0 0 20 0 1 0 31793 3133440 407 18446744073709551615 93852354232320 93852354252201 140728194860032 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 93852354268208 93852354269824 93852923785216 140728194865870 140728194865890 140728194865890 140728194867179 0\n"
    static let zombie = "9566 (true) Z 9564 9561 7107 0 -1 4227084 70 0 1 0 0 0 0 0 20 0 1 0 31932 0 0 18446744073709551615 0 0 0 0 0 0 0 6 0 1 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n"

    @Test("state and start time of a running process")
    func running() throws {
        let stat = try #require(ProcessStat(line: Self.running))
        #expect(stat.state == "R")
        #expect(stat.startTime == 31793)
        #expect(!stat.hasExited)
    }

    @Test("a zombie has exited")
    func zombie() throws {
        let stat = try #require(ProcessStat(line: Self.zombie))
        #expect(stat.state == "Z")
        #expect(stat.startTime == 31932)
        #expect(stat.hasExited)
    }

    @Test("a comm with spaces and parentheses does not shift the fields (the state follows the last ')')")
    func trickyComm() throws {
        // A process may call itself "x) Z (y" (prctl PR_SET_NAME): the first ')' is not the end of comm.
        let line = Self.running.replacingOccurrences(of: "(cat)", with: "(x) Z (y)")
        let stat = try #require(ProcessStat(line: line))
        #expect(stat.state == "R")
        #expect(stat.startTime == 31793)
        let zombie = Self.zombie.replacingOccurrences(of: "(true)", with: "(a ) R (b c)")
        #expect(try #require(ProcessStat(line: zombie)).state == "Z")
    }

    @Test("a line that is cut short or not a stat line is rejected", arguments: [
        "", "9440 cat R 9438", "9440 (cat) R 9438 9438 7107 0 -1", "9440 (cat) RS 9438 9438 7107 0 -1 4194304 100 0 0 0 0 0 0 0 20 0 1 0 31793 3133440",
    ])
    func malformed(line: String) {
        #expect(ProcessStat(line: line) == nil)
    }

    @Test("this process is alive and readable from /proc")
    func current() throws {
        let stat = try #require(ProcessStat.read(pid: ProcessIdentity.current.pid))
        #expect(!stat.hasExited)
        #expect(stat.startTime == ProcessIdentity.current.startTime)
    }
}
