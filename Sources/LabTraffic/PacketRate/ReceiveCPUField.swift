import LabSystem

/// The `receive_cpu` setting the flood workloads share: the CPU the filter point's receive path and
/// the application are steered to, which must not be the flood's (they would share it again, as
/// unsteered veth does) and must exist on the machine that runs it.
public enum ReceiveCPUField {
    public static let range = 0...1023

    public static func conflicts(in values: WorkloadValues) -> [WorkloadFieldIssue] {
        guard let cpu = values.integer("receive_cpu"), cpu == PacketRateDriver.floodCPU else { return [] }
        return [WorkloadFieldIssue(key: "receive_cpu", at: .value,
                                   "receive_cpu must differ from the flood's CPU (\(PacketRateDriver.floodCPU)): "
                                   + "the point is to move the receive path off the generator's CPU")]
    }

    /// Whether steering to `cpu` can run on a machine with `online` CPUs: nil when it can, the reason
    /// to skip when there is one CPU only; throws when the CPU does not exist on a larger machine.
    public static func check(_ cpu: Int, online: Int, workload: String) throws -> String? {
        if online < 2 { return "\(workload): receive_cpu \(cpu) ignored: this machine has 1 CPU, so the receive path stays on it" }
        guard cpu < online else {
            throw LabFailure("\(workload): receive_cpu is \(cpu) but this machine has CPUs 0…\(online - 1)")
        }
        return nil
    }
}
