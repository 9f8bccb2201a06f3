/// The parameter a sweep chart puts on its x axis: the first scenario parameter whose values are all
/// numbers, with at least two of them. Other parameters split the lines ("tc mode=native").
struct SweepAxis {
    let name: String
    /// Whether to use a log x axis: rule counts are swept in decades (1, 100, 10000), where a linear
    /// axis would crush all but the last point against the y axis.
    let logarithmic: Bool

    init?(analysis: RunAnalysis) {
        for parameter in analysis.record.scenario.parameters {
            let numbers = parameter.values.compactMap(Double.init)
            guard numbers.count == parameter.values.count, Set(numbers).count >= 2 else { continue }
            name = parameter.name
            let positive = numbers.allSatisfy { $0 > 0 }
            logarithmic = positive && (numbers.max()! / numbers.min()!) >= 100
            return
        }
        return nil
    }

    func x(of analysis: CaseAnalysis) -> Double? {
        analysis.record.parameters[name].flatMap(Double.init)
    }

    /// The line a case belongs to: its backend, plus any other parameter of its point.
    func lineLabel(of analysis: CaseAnalysis, in run: RunAnalysis) -> String {
        let others = run.parameterNames.filter { $0 != name }
            .compactMap { key in analysis.record.parameters[key].map { "\(key)=\($0)" } }
        return ([analysis.backend] + others).joined(separator: " ")
    }
}
