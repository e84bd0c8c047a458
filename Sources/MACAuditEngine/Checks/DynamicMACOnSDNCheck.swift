import MACAuditModel
import MACAuditIngest
/// An SDN-managed adapter with `DynamicMacAddressEnabled`. Microsoft requires static MACs for tenant
/// NICs: the NC cannot keep policy on a MAC that Hyper-V regenerates after a move.
public struct DynamicMACOnSDNCheck: Check {
    public init() {}

    public static let info = CheckInfo(
        id: .dynamicMACOnSDN,
        summary: "an SDN-managed adapter uses a dynamic MAC",
        rationale: "Hyper-V regenerates dynamic MACs on some moves and restores; the NC's policy then matches nothing.",
        severity: .error,
        remedy: .adoptController,
        examples: [
            CheckExample("dynamic MAC on a port with an SDN profile", Inventory(
                adapters: [Example.vm("A", "001DD8B71C21", dynamic: true)],
                portProfiles: [Example.profile("A", "001DD8B71C21", instance: "i-1")],
                interfaces: [Example.nic("a-nic", "001DD8B71C21", instance: "i-1")]),
                triggers: ["00-1D-D8-B7-1C-21"]),
            CheckExample("dynamic MAC on a VM outside SDN", Inventory(adapters: [Example.vm("A", "00155D010101", dynamic: true)])),
            CheckExample("static MAC on SDN", Inventory(
                adapters: [Example.vm("A", "001DD8B71C21")],
                portProfiles: [Example.profile("A", "001DD8B71C21", instance: "i-1")],
                interfaces: [Example.nic("a-nic", "001DD8B71C21", instance: "i-1")])),
        ])

    public func findings(in snapshot: Snapshot, rules: Rules) -> [Finding] {
        snapshot.holders.compactMap { holder -> Finding? in
            guard holder.dynamicMAC == true, holder.isControllerManaged else { return nil }
            let mac = holder.mac.address ?? holder.interface?.mac.address
            return Self.info.finding(
                mac: mac,
                message: "\(holder.label) is managed by the Network Controller but has DynamicMacAddressEnabled; set -StaticMacAddress",
                holders: [holder], rules: rules)
        }
    }
}

extension CheckID {
    public static let dynamicMACOnSDN = CheckID("dynamic-mac-on-sdn")
}
