import Foundation

/// One bpf/NAME.bpf.c and the objects its "// benchlab: variants …" line asks for.
struct BPFProgramSource {
    static let marker = "// benchlab: variants"
    /// Only the head of the file is read: the declaration belongs with the license and the summary.
    static let headLines = 5

    let source: URL
    let name: String
    /// Lowercase variant names (xdp, tc); empty for a program built once.
    let variants: [String]

    struct Object {
        let file: String
        let defines: [String]
    }

    init(source: URL) throws {
        self.source = source
        name = String(source.lastPathComponent.dropLast(".bpf.c".count))
        let text = try String(contentsOf: source, encoding: .utf8)
        variants = try Self.variants(in: text, file: source.lastPathComponent)
    }

    /// The words after the marker on the first matching line among the first `headLines` lines.
    static func variants(in text: String, file: String) throws -> [String] {
        let head = text.split(separator: "\n", omittingEmptySubsequences: false).prefix(headLines)
        guard let line = head.first(where: { $0.hasPrefix(marker) }) else { return [] }
        let words = line.dropFirst(marker.count).split(separator: " ").map(String.init)
        guard !words.isEmpty else { throw PluginError("\(file): `\(marker)` names no variant") }
        for word in words where word.isEmpty || !word.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber) }) {
            throw PluginError("\(file): variant `\(word)` is not a lowercase word (it becomes -DBL_VARIANT_\(word.uppercased()))")
        }
        guard Set(words).count == words.count else { throw PluginError("\(file): a variant is listed twice") }
        return words
    }

    func objects() throws -> [Object] {
        guard !variants.isEmpty else { return [Object(file: "\(name).bpf.o", defines: [])] }
        return variants.map { Object(file: "\(name)_\($0).bpf.o", defines: ["BL_VARIANT_\($0.uppercased())"]) }
    }
}
