import LabSystem

/// One run of a netfilter tool's own bulk path (`iptables-restore`, `ipset restore`, `nft -f -`): the
/// program, its arguments and the text it reads on stdin. Install and update are lists of these, so
/// what benchlab times is exactly what an operator would type, and the same load can be replayed by
/// hand to check benchlab adds nothing to it.
public struct BulkLoad: Sendable, Equatable {
    public var tool: String
    public var arguments: [String]
    /// Fed on stdin, never on the command line: a 100k-rule file is several megabytes, far past
    /// ARG_MAX, and a pipe is how these tools are meant to be fed.
    public var input: String

    public init(tool: String, arguments: [String], input: String) {
        self.tool = tool
        self.arguments = arguments
        self.input = input
    }

    public func command(in namespace: String) -> Command {
        Command(tool, arguments).inNamespace(namespace)
    }

    /// Runs the load inside `namespace`; returns its wall time in milliseconds, spawn included, as a
    /// shell user would see it. Throws `NetfilterToolError` when the tool rejects the input.
    @discardableResult
    public func run(in namespace: String) throws -> Double {
        let command = command(in: namespace)
        let (result, milliseconds) = try MonotonicClock.measure {
            try Subprocess.run(command, input: input, timeout: timeoutSeconds)
        }
        guard result.succeeded else { throw NetfilterToolError(result, input: input) }
        return milliseconds
    }

    /// Generous for the biggest sweeps (100k rules load in 0.4 s with iptables-legacy and 1.5 s with
    /// iptables-nft here) yet still bounded: two minutes plus a second per 100 kB of input.
    var timeoutSeconds: Double { 120 + Double(input.utf8.count) / 100_000 }
}

/// Read-only queries (`-save`, `nft list`, `ipset list`) inside a namespace.
enum NetfilterQuery {
    static func run(_ tool: String, _ arguments: [String], in namespace: String) throws -> String {
        let result = try Subprocess.run(Command(tool, arguments).inNamespace(namespace), timeout: 120)
        guard result.succeeded else { throw NetfilterToolError(result, input: nil) }
        return result.stdout
    }
}
