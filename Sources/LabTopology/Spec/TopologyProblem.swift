/// Something wrong with a `TopologySpec`, and which part of it is wrong, so a scenario reader can
/// point at the line that declared that part.
public struct TopologyProblem: Sendable, Equatable, Error, CustomStringConvertible {
    public enum LinkEnd: Sendable, Equatable { case a, b }

    public enum Subject: Sendable, Equatable {
        /// The topology as a whole (a missing role, a disconnected graph).
        case topology
        case node(Int)
        case link(Int)
        /// A link end's node.
        case linkEnd(Int, LinkEnd)
        /// A link end's address.
        case linkAddress(Int, LinkEnd)
        case attachment(Int)
    }

    public var subject: Subject
    public var message: String

    public init(_ subject: Subject, _ message: String) {
        self.subject = subject
        self.message = message
    }

    public var description: String { message }
}
