/// Every chart of a run, in report order: per workload, metric charts, then percentile distributions,
/// then series.
public struct ChartPlan: Sendable {
    public let charts: [Chart]

    public init(analysis: RunAnalysis) {
        charts = analysis.workloads.flatMap { workload in
            MetricChartBuilder(run: analysis).charts(workload: workload)
                + DistributionChartBuilder(run: analysis).charts(workload: workload)
                + SNATExhaustionChartBuilder(run: analysis).charts(workload: workload)
                + SeriesChartBuilder(run: analysis).charts(workload: workload)
        }
    }

    public func charts(of workload: String) -> [Chart] {
        charts.filter { $0.workload == workload }
    }
}
