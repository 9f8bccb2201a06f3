import LabResults

/// The statistics of one case that ran (status ok): every metric of every workload it measured.
public struct CaseAnalysis: Sendable {
    public let record: CaseRecord
    public let metrics: [MetricID: MetricStatistics]

    public var id: String { record.id }
    public var backend: String { record.backend }
    /// As run.json recorded it (the backend declared it).
    public var family: BackendFamily? { record.family }

    init(record: CaseRecord) {
        self.record = record
        var grouped: [MetricID: [Double]] = [:]
        // run.json may carry "nan"/"inf" from a collector that could not compute a value; one such
        // sample would poison the median and every resample of the interval.
        for sample in record.countedSamples where sample.value.isFinite {
            grouped[MetricID(workload: sample.workload, metric: sample.metric), default: []].append(sample.value)
        }
        var metrics: [MetricID: MetricStatistics] = [:]
        for (id, values) in grouped {
            metrics[id] = MetricStatistics(values: values, metric: id, caseId: record.id)
        }
        self.metrics = metrics
    }

    /// Counted repeats: not warm-ups, not failed.
    public var countedRepeats: Int {
        record.repeats.filter { !$0.warmup && $0.failure == nil }.count
    }
}
