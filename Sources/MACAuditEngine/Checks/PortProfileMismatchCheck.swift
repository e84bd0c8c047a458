import MACAuditModel
import MACAuditIngest
/// The port profile's ProfileId does not name the NC interface that holds the adapter's MAC (or
/// names none at all): a stale profile left by a re-created NIC or a restored VM. SdnDiagnostics'
/// `Repair-SdnVMNetworkAdapterPortProfile` checks exactly this, one VM at a time.
public struct PortProfileMismatchCheck: Check {
    public init() {}

    public static let info = CheckInfo(
        id: .portProfileMismatch,
        summary: "an adapter's port profile does not name its NC interface",
        rationale: "VFP applies the policy of the interface the ProfileId names; a stale id leaves the port blocked or with another VM's policy.",
        severity: .error,
        remedy: .repairProfile,
        examples: [
            CheckExample("profile names an interface that does not exist", Inventory(
                adapters: [Example.vm("A", "001DD8B71C21")],
                portProfiles: [Example.profile("A", "001DD8B71C21", instance: "gone")],
                interfaces: [Example.nic("a-nic", "001DD8B71C21", instance: "i-1")]),
                triggers: ["00-1D-D8-B7-1C-21"]),
            CheckExample("profile and interface agree", Inventory(
                adapters: [Example.vm("A", "001DD8B71C21")],
                portProfiles: [Example.profile("A", "001DD8B71C21", instance: "i-1")],
                interfaces: [Example.nic("a-nic", "001DD8B71C21", instance: "i-1")])),
            CheckExample("VFP disabled on an infrastructure port", Inventory(
                adapters: [Example.vm("A", "001DD8B71C21")],
                portProfiles: [Example.profile("A", "001DD8B71C21", instance: "00000000-0000-0000-0000-000000000000", data: 2)],
                interfaces: [Example.nic("other", "001DD8B71C99")])),
        ])

    public func findings(in snapshot: Snapshot, rules: Rules) -> [Finding] {
        snapshot.holders.compactMap { holder -> Finding? in
            guard let profile = holder.profile, !profile.isNullProfile, let id = profile.profileId,
                  snapshot.clustersWithInterfaces.contains(holder.cluster),
                  holder.interface?.instanceId != id else { return nil }
            let actual = holder.interface.map { "the NC interface holding its MAC is '\($0.resourceId)' {\($0.instanceId ?? "?")}" }
                ?? "no NC interface has that instanceId"
            return Self.info.finding(
                mac: holder.mac.address,
                message: "\(holder.label) has port profile {\(id)} but \(actual)",
                holders: [holder], rules: rules)
        }
    }
}

extension CheckID {
    public static let portProfileMismatch = CheckID("port-profile-mismatch")
}
