import LabConntrack
import LabResults
import LabTopology

/// Something measured around one workload's traffic: opened when its traffic window opens, closed
/// when it closes, so it covers the traffic and not its set-up. One instance per window.
///
/// Adding a collector is one file conforming to this protocol plus one line in `CollectorRegistry`.
public protocol WorkloadCollector: AnyObject {
    /// Every scalar metric `close` can record.
    static var metrics: [MetricInfo] { get }
    init(topology: Topology)
    /// With the case's connection table (nil when the policy is stateless); only collectors that read
    /// it implement this.
    init(topology: Topology, tracker: (any ConnectionTracker)?)
    func open() throws
    /// The samples (and series) for `workload` over the window.
    func close(workload: String) throws -> CollectedData
}

extension WorkloadCollector {
    public init(topology: Topology, tracker: (any ConnectionTracker)?) { self.init(topology: topology) }
}

/// What collectors return for one window: scalar samples and time series, kept apart because
/// run.json stores them apart (`RepeatRecord.samples`, `RepeatRecord.series`).
public struct CollectedData: Sendable, Equatable {
    public var samples: [Sample]
    public var series: [Series]

    public init(samples: [Sample] = [], series: [Series] = []) {
        self.samples = samples
        self.series = series
    }

    public static func + (a: CollectedData, b: CollectedData) -> CollectedData {
        CollectedData(samples: a.samples + b.samples, series: a.series + b.series)
    }
}
