import ArgumentParser
import LabTraffic

/// `benchlab agent '<request JSON>'`: the traffic agents benchlab starts inside lab namespaces
/// (through `ip netns exec`). Hidden from help: an implementation detail whose protocol — requests,
/// replies, the `ready` line — is documented and owned by `AgentChannel` in LabTraffic.
struct AgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Traffic agents run inside lab namespaces (internal).",
        shouldDisplay: false
    )

    @Argument(help: "One AgentRequest as JSON.") var request: String

    func run() throws {
        try AgentHost.perform(try AgentChannel.decodeRequest(request))
    }
}
