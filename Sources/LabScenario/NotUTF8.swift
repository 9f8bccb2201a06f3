import Foundation

/// A scenario that is not UTF-8 (a Latin-1 export, a binary pasted by mistake) is reported like any
/// other problem in the file: at the first byte that is not UTF-8, as `file:line:column: message`.
enum NotUTF8 {
    static func error(in data: Data, path: String) -> ScenarioError {
        var bytes = data.makeIterator()
        var decoder = UTF8()
        var valid = 0
        var scalars = 0
        decoding: while true {
            switch decoder.decode(&bytes) {
            case .scalarValue(let scalar):
                valid += UTF8.width(scalar)
                scalars += 1
            case .emptyInput, .error:
                break decoding
            }
        }
        let prefix = SourceText(String(decoding: data.prefix(valid), as: UTF8.self))
        let position = prefix.position(ofScalarOffset: scalars)
        let byte = valid < data.count ? String(format: " (byte 0x%02X)", data[data.startIndex + valid]) : ""
        let message = "the file is not UTF-8 text\(byte); save it as UTF-8"
        return ScenarioError([Diagnostic(path: path, line: position.line, column: position.column, message: message)])
    }
}
