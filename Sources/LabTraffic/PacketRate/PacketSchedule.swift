import LabNetwork
import LabPolicy

/// The repeating order in which the flood sends its packets: a cycle of `slotCount` slots, each one
/// source address and source port, with the denied sources' slots spread evenly through the cycle
/// (never one long burst of drops). The generator walks it round and round, so how many packets came
/// from denied sources is known exactly from how many were sent.
public struct PacketSchedule: Sendable, Equatable {
    /// Shares are kept to whole percents.
    public static let slotCount = 100
    static let firstSourcePort: UInt16 = 20_000

    public struct Slot: Sendable, Equatable {
        public var source: IPv4Address
        public var sourcePort: UInt16
        public var denied: Bool
    }

    public let slots: [Slot]
    /// deniedBefore[i] = denied slots among slots[0..<i]; one more entry than `slots`.
    private let deniedBefore: [Int]

    /// `deniedShare` is rounded to a whole percent, but a share above 0 keeps at least one denied slot
    /// and a share below 1 at least one allowed slot.
    public init(sources: PacketRateSources, deniedShare: Double) {
        precondition(deniedShare >= 0 && deniedShare <= 1, "share out of range")
        precondition(deniedShare == 1 || !sources.allowed.isEmpty, "allowed sources needed")
        precondition(deniedShare == 0 || !sources.denied.isEmpty, "denied sources needed")
        let n = Self.slotCount
        var deniedSlots = Int((deniedShare * Double(n)).rounded())
        if deniedShare > 0 { deniedSlots = max(deniedSlots, 1) }
        if deniedShare < 1 { deniedSlots = min(deniedSlots, n - 1) }
        var slots: [Slot] = []
        var allowedUsed = 0
        var deniedUsed = 0
        for index in 0..<n {
            // Bresenham: slot i is denied when the running quota of denied slots steps up at it.
            let denied = (index + 1) * deniedSlots / n > index * deniedSlots / n
            let source: IPv4Address
            if denied {
                source = sources.denied[deniedUsed % sources.denied.count]
                deniedUsed += 1
            } else {
                source = sources.allowed[allowedUsed % sources.allowed.count]
                allowedUsed += 1
            }
            slots.append(Slot(source: source, sourcePort: Self.firstSourcePort + UInt16(index), denied: denied))
        }
        self.slots = slots
        self.deniedBefore = slots.reduce(into: [0]) { counts, slot in counts.append(counts.last! + (slot.denied ? 1 : 0)) }
    }

    public var deniedSlots: Int { deniedBefore.last! }

    /// Packets from denied sources among the first `sent` packets of the cycle, walked from slot 0.
    public func deniedPackets(amongFirst sent: UInt64) -> UInt64 {
        let n = UInt64(slots.count)
        return (sent / n) * UInt64(deniedSlots) + UInt64(deniedBefore[Int(sent % n)])
    }
}
