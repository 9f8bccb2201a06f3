/// An Ethernet address, parsed from "02:62:6c:00:00:01".
public struct MACAddress: Sendable, Equatable, CustomStringConvertible {
    public let octets: [UInt8]

    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6, parts.allSatisfy({ $0.count == 2 }) else { return nil }
        let octets = parts.compactMap { UInt8($0, radix: 16) }
        guard octets.count == 6 else { return nil }
        self.octets = octets
    }

    public init(octets: [UInt8]) {
        precondition(octets.count == 6, "an Ethernet address has 6 octets")
        self.octets = octets
    }

    public static let broadcast = MACAddress(octets: [UInt8](repeating: 0xff, count: 6))

    public var description: String {
        octets.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined(separator: ":")
    }
}
