import MACAuditModel
import MACAuditIngest
/// A MAC field that is not a MAC: wrong length, stray characters, misplaced separators.
/// The DSC sample `001523be0c` (ten digits) is a real example from the wild.
public struct InvalidMACCheck: Check {
    public init() {}

    public static let info = CheckInfo(
        id: .invalidMAC,
        summary: "a MAC field does not hold a valid MAC address",
        rationale: "Hyper-V and the Network Controller refuse or misread such values; the holder has no usable MAC.",
        severity: .error,
        remedy: .person,
        question: "The export shows a value that is not a MAC address, so no script can check what the adapter holds. Is the export truncated or hand-edited? Read the adapter on its host (Get-VMNetworkAdapter -VMName …) and audit a fresh export: the plan moves it once its MAC is known.",
        examples: [
            CheckExample("ten hex digits", Inventory(adapters: [Example.vm("A", "001523be0c")]), triggers: ["001523be0c"]),
            CheckExample("a stray character", Inventory(interfaces: [Example.nic("n", "00-15-5D-0G-00-01")]), triggers: ["00-15-5D-0G-00-01"]),
            CheckExample("every accepted spelling", Inventory(adapters: [
                Example.vm("A", "00155d010203"), Example.vm("B", "00:15:5D:01:02:04"), Example.vm("C", "0015.5d01.0205"),
            ])),
        ])

    public func findings(in snapshot: Snapshot, rules: Rules) -> [Finding] {
        var out: [Finding] = []
        func check(_ field: MACField?, of holder: Holder) {
            guard case .invalid(let raw, let reason)? = field,
                  let finding = Self.info.finding(field: field!, message: "'\(raw)' of \(holder.label) is not a MAC address: it \(reason)",
                                                  holders: [holder], rules: rules) else { return }
            out.append(finding)
        }
        for holder in snapshot.holders {
            check(holder.adapterMAC, of: holder)
            check(holder.interfaceMAC, of: holder)
        }
        return out
    }
}

extension CheckID {
    public static let invalidMAC = CheckID("invalid-mac")
}
