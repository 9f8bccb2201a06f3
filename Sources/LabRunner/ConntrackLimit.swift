import LabSystem
import LabTopology

/// The global `net.netfilter.nf_conntrack_max`, held for a case through the knob ledger and the
/// journal, so a crash or `kill -9` leaves it to `benchlab clean` to restore.
///
/// Each namespace counts its own entries (nf_conntrack_count is per namespace), but every namespace's
/// count is checked against this one global limit, and only the root namespace may set it: lowering
/// it for a table-full phase lowers it for the host too. So a lowered limit never goes below the
/// host's own count plus `hostMargin`, and it is held only for the phase that needs it.
struct ConntrackLimit {
    static let key = "net.netfilter.nf_conntrack_max"
    static let countKey = "net.netfilter.nf_conntrack_count"
    /// Entries kept free for the root namespace whenever the limit is lowered.
    static let hostMargin = 4096

    let journal: Journal
    var ledger = KnobLedger()
    /// The value the case holds outside a lowered phase (nil: the case has not changed the knob).
    private(set) var runValue: Int?

    init(journal: Journal) { self.journal = journal }

    func current() throws -> Int { try Self.integer(ledger.read(Self.key), Self.key) }

    /// The root namespace's own entries (reading it from here is reading the root namespace's: the
    /// runner never leaves it).
    func hostCount() throws -> Int { try Self.integer(ledger.read(Self.countKey), Self.countKey) }

    /// Makes sure the limit is at least `entries` for the case, raising it (journaled) if it is lower.
    mutating func raise(toAtLeast entries: Int) throws {
        let value = try current()
        guard value < entries else { return }
        try hold(entries)
        runValue = entries
    }

    /// Sets the limit for a phase: `entries`, or the host's count plus the margin when that is more;
    /// nil goes back to the case's value (or the original when the case never raised it). Returns the
    /// limit in effect.
    @discardableResult
    func set(_ entries: Int?) throws -> Int {
        guard let entries else {
            if let runValue {
                try hold(runValue)
                return runValue
            }
            try ledger.release(Self.key, holder: journal.id)
            return try current()
        }
        let value = max(entries, try hostCount() + Self.hostMargin)
        try hold(value)
        return value
    }

    /// Holds the knob at `value` for this run. The ledger refuses a holder that changes its own value,
    /// so a change is a release and a new hold; the undo step is journaled before the first change.
    private func hold(_ value: Int) throws {
        if let entry = try ledger.entries()[Self.key], entry.holders.contains(journal.id) {
            guard entry.value != String(value) else { return }
            try ledger.release(Self.key, holder: journal.id)
        } else {
            try journal.record(.releaseKnob(Self.key))
        }
        try ledger.acquire(Self.key, value: String(value), holder: journal.id)
    }

    private static func integer(_ text: String, _ key: String) throws -> Int {
        guard let value = Int(text) else { throw LabFailure("\(key) reads '\(text)', not a number") }
        return value
    }
}
