/// When a chart's y axis goes logarithmic: when the largest plotted median is more than `spread`
/// times the smallest, a linear axis squeezes every line but the top one against the floor (iptables
/// at 10k rules does that to every other backend's cpu_ns_per_pkt). Only for positive values.
enum LogAxisRule {
    static let spread = 20.0

    static func wantsLog(_ values: [Double]) -> Bool {
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max(), low > 0 else { return false }
        return high / low > spread
    }
}
