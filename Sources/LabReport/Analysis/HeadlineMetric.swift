import LabResults

extension RunAnalysis {
    /// The metric a workload is judged by (`VerdictSection.headlinePriority`, else its first
    /// directional metric): the verdict and the headline tables speak about the same number.
    func headlineMetric(of workload: String) -> String? {
        let metrics = metrics(of: workload).filter { MetricCatalog.info($0).direction != .neutral }
        return VerdictSection.headlinePriority.first(where: metrics.contains) ?? metrics.first
    }
}
