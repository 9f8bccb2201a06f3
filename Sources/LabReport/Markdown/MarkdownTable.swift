import Foundation

/// A GitHub-flavoured Markdown table. Cells are escaped so a `|` or a newline in a reason or a tool
/// version cannot break the table.
public struct MarkdownTable: Sendable {
    public enum Alignment: Sendable { case left, right }

    public let headers: [String]
    public let alignments: [Alignment]
    public private(set) var rows: [[String]] = []

    public init(headers: [String], alignments: [Alignment]? = nil) {
        self.headers = headers
        self.alignments = alignments ?? headers.map { _ in .left }
        precondition(self.alignments.count == headers.count, "one alignment per column")
    }

    public mutating func append(_ row: [String]) {
        precondition(row.count == headers.count, "row has \(row.count) cells, table has \(headers.count) columns")
        rows.append(row)
    }

    public var isEmpty: Bool { rows.isEmpty }

    public var text: String {
        var lines = [line(headers.map(MarkdownTable.escape))]
        lines.append(line(alignments.map { $0 == .left ? "---" : "---:" }))
        lines += rows.map { line($0.map(MarkdownTable.escape)) }
        return lines.joined(separator: "\n") + "\n"
    }

    private func line(_ cells: [String]) -> String {
        "| " + cells.joined(separator: " | ") + " |"
    }

    static func escape(_ cell: String) -> String {
        cell.replacingOccurrences(of: "|", with: "\\|")
            .split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}

/// Inline code that survives backticks inside it (CommonMark: use a longer fence).
func inlineCode(_ text: String) -> String {
    let fence = text.contains("`") ? "``" : "`"
    let pad = text.hasPrefix("`") || text.hasSuffix("`") ? " " : ""
    return fence + pad + text + pad + fence
}
