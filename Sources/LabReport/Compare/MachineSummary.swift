import LabResults

/// Which machine a run came from, recorded beside every comparison (package-benchmark's habit):
/// ratios travel between machines far better than absolute numbers, but not perfectly.
public struct MachineSummary: Codable, Sendable, Equatable {
    public let runId: String
    public let startedAt: String
    public let benchlabVersion: String
    public let hostname: String
    public let kernel: String
    public let cpuModel: String
    public let cpus: Int
    public let memoryBytes: UInt64

    public init(_ record: RunRecord) {
        runId = record.runId
        startedAt = record.startedAt
        benchlabVersion = "\(record.benchlab.version) (\(record.benchlab.gitRevision))"
        hostname = record.environment.hostname
        kernel = record.environment.kernel
        cpuModel = record.environment.cpuModel
        cpus = record.environment.cpus
        memoryBytes = record.environment.memoryBytes
    }
}
