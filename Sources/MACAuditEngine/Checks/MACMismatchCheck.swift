import MACAuditModel
import MACAuditIngest
/// The adapter and the NC interface its port profile names hold different MACs. The NC programs
/// VFP policy for its `privateMacAddress`; traffic from any other MAC is dropped.
public struct MACMismatchCheck: Check {
    public init() {}

    public static let info = CheckInfo(
        id: .macMismatch,
        summary: "the Hyper-V adapter and its NC interface hold different MACs",
        rationale: "The Network Controller programs policy for its own MAC; the VM's traffic with another MAC is blocked.",
        severity: .error,
        remedy: .adoptController,
        examples: [
            CheckExample("profile links them, MACs differ", Inventory(
                adapters: [Example.vm("A", "00155D010101")],
                portProfiles: [Example.profile("A", "00155D010101", instance: "i-1")],
                interfaces: [Example.nic("a-nic", "001DD8B71C21", instance: "i-1")]),
                triggers: ["00-15-5D-01-01-01"]),
            CheckExample("profile links them, MACs agree in different spellings", Inventory(
                adapters: [Example.vm("A", "001DD8B71C21")],
                portProfiles: [Example.profile("A", "001DD8B71C21", instance: "i-1")],
                interfaces: [Example.nic("a-nic", "00-1D-D8-B7-1C-21", instance: "i-1")])),
        ])

    public func findings(in snapshot: Snapshot, rules: Rules) -> [Finding] {
        snapshot.holders.compactMap { holder -> Finding? in
            guard holder.link == .portProfile, case .valid(let hv)? = holder.adapterMAC,
                  case .valid(let nc)? = holder.interfaceMAC, hv != nc else { return nil }
            let shown = hv.isPlaceholder ? "no MAC yet (000000000000)" : "\(hv)"
            return Self.info.finding(
                mac: hv.isPlaceholder ? nc : hv,
                message: "\(holder.label) has \(shown) in Hyper-V but its NC interface '\(holder.interface!.resourceId)' has \(nc); set the adapter's static MAC to the controller's",
                holders: [holder], rules: rules)
        }
    }
}

extension CheckID {
    public static let macMismatch = CheckID("mac-mismatch")
}
