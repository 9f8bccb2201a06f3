import Yams

/// One walk over a composed document, before anything reads it:
///
/// - Bounds alias expansion. Yams composes an alias as the anchored node itself, so a few lines of
///   nested aliases ("billion laughs") make a tree of billions of nodes, and every later walk
///   (placeholders, readers) would visit each. Yams keeps no anchor names, but an alias is the
///   anchored node itself, with the anchor's position: a collection met a second time at the same
///   position is an alias. Each collection is sized once and each alias of it adds that size, so
///   the census stays linear in the text; past `aliasBudget` added nodes the file is refused at
///   the anchor.
/// - Confirms which masked keys (`KeyMasks`) really were mapping keys.
final class DocumentCensus {
    /// Nodes aliases may add beyond those written: generous for templates (`*rule` a few thousand
    /// times), far below what would make validation slow.
    static let aliasBudget = 100_000

    private let masked: Set<SourcePosition>
    private(set) var unconfirmed: Set<SourcePosition>
    /// Only a file with an anchor (`&`) can have aliases: others skip the bookkeeping.
    private let tracksAliases: Bool
    /// Expanded size of each collection seen, by kind and position (a mapping and its first key
    /// start at the same place).
    private var sizes: [Collection: Int] = [:]
    private var added = 0
    private var exceeded: SourcePosition?

    private struct Collection: Hashable {
        let isMapping: Bool
        let position: SourcePosition
    }

    init(masked: Set<SourcePosition>, tracksAliases: Bool) {
        self.masked = masked
        self.unconfirmed = masked
        self.tracksAliases = tracksAliases
    }

    /// False (logged) when aliases expand past the budget.
    func run(_ root: Node, log: DiagnosticLog) -> Bool {
        // Without an anchor there is no alias, and without a mask nothing to confirm.
        guard tracksAliases || !masked.isEmpty else { return true }
        _ = size(of: root)
        guard let exceeded else { return true }
        log.error("aliases of the value anchored here expand the file past \(Self.aliasBudget) values more than it "
                  + "writes out (nested aliases multiply); write the values out or sweep them with 'parameters'",
                  at: exceeded)
        return false
    }

    /// The node's expanded size; stops descending once the budget is exceeded.
    private func size(of node: Node) -> Int {
        guard exceeded == nil else { return 0 }
        var key: Collection?
        if tracksAliases {
            switch node {
            case .sequence: key = Collection(isMapping: false, position: node.position)
            case .mapping: key = Collection(isMapping: true, position: node.position)
            case .scalar, .alias: break
            }
        }
        if let key, let known = sizes[key] {
            // A second sighting of a collection is an alias: its nodes are added again.
            added = added.addingSaturating(known)
            if added > Self.aliasBudget { exceeded = key.position }
            return known
        }
        var total = 1
        switch node {
        case .scalar, .alias:
            break
        case .sequence(let items):
            for item in items { total = total.addingSaturating(size(of: item)) }
        case .mapping(let mapping):
            for (key, value) in mapping {
                if !masked.isEmpty, case .scalar = key { unconfirmed.remove(key.position) }
                total = total.addingSaturating(size(of: key)).addingSaturating(size(of: value))
            }
        }
        if let key { sizes[key] = total }
        return total
    }
}

extension Int {
    func addingSaturating(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? Int.max : sum
    }
}
