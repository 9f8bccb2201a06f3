import LabPolicy

/// When the swept tracker's collector sweeps next. Pure.
public enum SweepInterval {
    /// Cilium's adaptive rule (pkg/maps/ctmap/gc): a sweep that deleted more than a quarter of what it
    /// examined means entries expire faster than they are reclaimed, so the next one comes sooner, by
    /// the deleted share; one that deleted under 5% was mostly wasted work, so the wait grows by half.
    /// In between the interval stays. The result is kept within [floor, ceiling]; `fixed` ignores the sweep.
    public static func next(after current: Int, examined: Int, deleted: Int, settings: SweepSettings) -> Int {
        guard settings.mode == .adaptive else { return settings.intervalMilliseconds }
        let share = examined > 0 ? Double(deleted) / Double(examined) : 0
        var next = Double(current)
        if share > 0.25 {
            next = Double(current) * (1 - share)
        } else if share < 0.05 {
            next = Double(current) * 1.5
        }
        let bounded = min(Double(settings.ceilingMilliseconds), max(Double(settings.floorMilliseconds), next.rounded()))
        return Int(bounded)
    }
}
