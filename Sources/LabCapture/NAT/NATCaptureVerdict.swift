/// What `NATCaptureCheck` found: counts, the translated flows, and the offending flows with reasons.
public struct NATCaptureVerdict: Sendable, Equatable {
    public var expectation: NATExpectation
    public var packetsSeen = 0
    /// IPv4 packets addressed to one of the server's addresses.
    public var towardServer = 0
    /// IPv4 packets from one of the server's addresses.
    public var replies = 0
    /// ARP, IPv6 and other non-IPv4 frames: counted, not judged.
    public var otherFrames = 0
    public var translatedFlows: [TranslatedFlow] = []
    public var offendingFlows: [OffendingFlow] = []

    public init(expectation: NATExpectation) { self.expectation = expectation }

    public var passed: Bool { offendingFlows.isEmpty }

    /// One line for a failed case: the first `limit` offending flows and how many more there are.
    public func errorLine(limit: Int = 3) -> String {
        guard !passed else { return "NAT capture: \(translatedFlows.count) translated flows, no offending flow" }
        let shown = offendingFlows.prefix(limit).map(\.description).joined(separator: "; ")
        let more = offendingFlows.count > limit ? "; and \(offendingFlows.count - limit) more" : ""
        return "NAT capture on the server's interface: \(offendingFlows.count) offending flow\(offendingFlows.count == 1 ? "" : "s"): \(shown)\(more)"
    }

    /// One line per offending flow for the report, capped, with a last line saying what was left out.
    public func reportLines(limit: Int = 50) -> [String] {
        var lines = offendingFlows.prefix(limit).map(\.description)
        if offendingFlows.count > limit { lines.append("… \(offendingFlows.count - limit) more offending flows") }
        return lines
    }

    public var summary: NATCaptureSummary { NATCaptureSummary(self) }
}

/// The verdict as run.json records it: counts, the egress addresses and port span actually used,
/// and the offending flows (capped: a total leak must not make run.json as large as the capture).
public struct NATCaptureSummary: Sendable, Equatable, Codable {
    public static let offendingLimit = 20

    public var passed: Bool
    public var packetsSeen: Int
    public var towardServer: Int
    public var replies: Int
    public var otherFrames: Int
    public var translatedFlows: Int
    public var egressAddressesUsed: [String]
    /// Lowest and highest translated source port seen (nil when no TCP/UDP flow was translated).
    public var lowestPort: UInt16?
    public var highestPort: UInt16?
    public var offendingFlows: Int
    public var offending: [String]

    public init(_ verdict: NATCaptureVerdict) {
        passed = verdict.passed
        packetsSeen = verdict.packetsSeen
        towardServer = verdict.towardServer
        replies = verdict.replies
        otherFrames = verdict.otherFrames
        translatedFlows = verdict.translatedFlows.count
        egressAddressesUsed = Set(verdict.translatedFlows.map(\.flow.source)).sorted().map(\.description)
        let ports = verdict.translatedFlows.filter { $0.flow.protocolName != "icmp" }.compactMap(\.flow.sourcePort)
        lowestPort = ports.min()
        highestPort = ports.max()
        offendingFlows = verdict.offendingFlows.count
        offending = verdict.reportLines(limit: Self.offendingLimit)
    }
}
