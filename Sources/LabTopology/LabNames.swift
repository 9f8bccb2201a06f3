#if canImport(Glibc)
import Glibc
#endif

/// Names of everything the lab creates in the kernel. Every one starts with `bl` so that `clean` and
/// a human can tell lab objects from the host's, and carries a random id so two runs never collide.
/// Interface names must fit IFNAMSIZ - 1 = 15 characters.
public enum LabNames {
    public static let prefix = "bl"
    public static let stateDirectory = "/run/benchlab"
    /// benchlab's own bpffs instance, mounted on demand (see BPFPinRoot): labs made by `up` pin their
    /// BPF links here. A private mount leaves the host's /sys/fs/bpf (mounted or not) untouched.
    public static let pinDirectory = "/run/benchlab/bpffs"

    /// A fresh id: 6 characters of [0-9a-z], e.g. "k3x9q0".
    public static func newID() -> String {
        let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyz")
        var generator = SystemRandomNumberGenerator()
        return String((0..<6).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
    }

    /// Interface names must fit IFNAMSIZ - 1 characters.
    public static let interfaceNameLimit = 15

    /// e.g. "bl-k3x9q0-cli": the node's name after the id.
    public static func namespace(_ id: String, node: String) -> String { "\(prefix)-\(id)-\(node)" }

    /// e.g. "blk3x9q0-c0": the node's interface stem + its link index.
    public static func interface(_ id: String, stem: String, index: Int) -> String {
        let name = "\(prefix)\(id)\(stem)\(index)"
        precondition(name.utf8.count <= interfaceNameLimit, "interface name \(name) exceeds IFNAMSIZ")
        return name
    }

    public static func isLabName(_ name: String) -> Bool { name.hasPrefix(prefix) }
}
