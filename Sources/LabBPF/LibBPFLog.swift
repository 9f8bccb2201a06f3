#if canImport(Glibc)
import Glibc
#endif
import CLibBPF
import Synchronization

/// Routes libbpf's own messages. By default libbpf prints every warning to stderr, which would tear
/// through benchlab's progress output; here the latest warnings are kept so the chokepoints can put
/// them into the BPFError of the call that failed (for a load, the verifier's verdict), and
/// `BENCHLAB_LIBBPF_DEBUG=1` prints everything, debug level included, for a human chasing a problem.
enum LibBPFLog {
    private static let state = Mutex<State>(State())

    private struct State {
        var installed = false
        var recent: [String] = []
    }

    static func installOnce() {
        let needed = state.withLock { state -> Bool in
            defer { state.installed = true }
            return !state.installed
        }
        if needed { _ = libbpf_set_print(printCallback) }
    }

    /// The most recent warning since the last call, joined when libbpf split it over lines; clears it.
    static func takeLastWarning() -> String? {
        state.withLock { state in
            defer { state.recent.removeAll() }
            var lines = state.recent.joined().split(whereSeparator: \.isNewline).map(String.init)
            // A failed load prints the verifier log between BEGIN/END markers; its last lines are the
            // rejected instruction and the reason. Otherwise the last lines are the whole story.
            if let end = lines.lastIndex(where: { $0.contains("END PROG LOAD LOG") }) {
                lines = Array(lines[max(0, end - 3)..<end])
            } else {
                lines = Array(lines.suffix(3))
            }
            let tail = lines.joined(separator: " | ")
            return tail.isEmpty ? nil : tail
        }
    }

    fileprivate static func record(_ level: libbpf_print_level, _ text: String) {
        if verbose { _ = text.withCString { write(2, $0, strlen($0)) } }
        guard level == LIBBPF_WARN else { return }
        state.withLock { state in
            state.recent.append(text)
            if state.recent.count > 64 { state.recent.removeFirst(state.recent.count - 64) }
        }
    }

    private static let verbose: Bool = getenv("BENCHLAB_LIBBPF_DEBUG").map { String(cString: $0) == "1" } ?? false
}

private let printCallback: libbpf_print_fn_t = { level, format, arguments in
    guard let format, let arguments else { return 0 }
    var buffer = [CChar](repeating: 0, count: 4096)
    let written = vsnprintf(&buffer, buffer.count, format, arguments)
    guard written > 0 else { return 0 }
    let text = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    LibBPFLog.record(level, text)
    return written
}
