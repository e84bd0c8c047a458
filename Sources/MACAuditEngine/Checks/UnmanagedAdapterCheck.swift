import MACAuditModel
import MACAuditIngest
/// A VM adapter on an SDN virtual switch with no NC interface: it bypasses the controller's policy
/// and address management, and its MAC is unknown to the NC's pool.
public struct UnmanagedAdapterCheck: Check {
    public init() {}

    public static let info = CheckInfo(
        id: .unmanagedAdapter,
        summary: "a VM adapter on an SDN switch has no NC interface",
        rationale: "The NC does not know this MAC and may allocate it to a managed NIC; the port has no SDN policy.",
        severity: .warning,
        remedy: .person,
        question: "Should this VM be on SDN? Create its NC interface and port profile, or move the adapter off the SDN switch.",
        examples: [
            CheckExample("an adapter beside managed ones on the same switch", Inventory(
                adapters: [Example.vm("A", "001DD8B71C21"), Example.vm("B", "00155D010101")],
                portProfiles: [Example.profile("A", "001DD8B71C21", instance: "i-1")],
                interfaces: [Example.nic("a-nic", "001DD8B71C21", instance: "i-1")]),
                triggers: ["00-15-5D-01-01-01"]),
            CheckExample("an adapter with VFP disabled on purpose", Inventory(
                adapters: [Example.vm("A", "001DD8B71C21"), Example.vm("B", "00155D010101")],
                portProfiles: [Example.profile("A", "001DD8B71C21", instance: "i-1"),
                               Example.profile("B", "00155D010101", instance: "00000000-0000-0000-0000-000000000000", data: 2)],
                interfaces: [Example.nic("a-nic", "001DD8B71C21", instance: "i-1")])),
            CheckExample("no NC export for the cluster", Inventory(adapters: [Example.vm("B", "00155D010101")])),
        ])

    public func findings(in snapshot: Snapshot, rules: Rules) -> [Finding] {
        let sdnSwitches = Set(runs: snapshot.holders.lazy.filter { $0.hasAdapter && $0.isControllerManaged }.compactMap(\.switchKey))
        var clusterHasInterfaces = LastAnswer { snapshot.clustersWithInterfaces.contains($0) }
        var switchIsServer = LastAnswer { (id: String?) in id.map(snapshot.controllerSwitchIds.contains) == true }
        var switchIsSDN = LastAnswer { (key: String?) in key.map(sdnSwitches.contains) == true }
        return snapshot.holders.compactMap { holder -> Finding? in
            guard holder.hasAdapter, !holder.isManagementOS, !holder.hasInterface,
                  clusterHasInterfaces(holder.cluster), let adapter = holder.adapter else { return nil }
            if let profile = holder.profile, profile.isNullProfile || profile.profileData == 2 { return nil }
            guard switchIsServer(adapter.switchId) || switchIsSDN(holder.switchKey) else { return nil }
            return Self.info.finding(
                mac: holder.mac.address,
                message: "\(holder.label) is on SDN switch '\(adapter.switchName ?? adapter.switchId ?? "?")' but no NC interface manages it",
                holders: [holder], rules: rules)
        }
    }
}

extension CheckID {
    public static let unmanagedAdapter = CheckID("unmanaged-adapter")
}
