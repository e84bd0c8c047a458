import MACAuditModel
import MACAuditIngest
/// An NC interface that no exported adapter claims, in a cluster whose adapters were exported: the
/// VM was deleted without its interface, lives on a host that was not exported, or never started.
/// Its MAC stays allocated in the NC and can be handed to nobody else.
public struct NCOrphanCheck: Check {
    public init() {}

    public static let info = CheckInfo(
        id: .ncOrphan,
        summary: "an NC interface has no Hyper-V adapter",
        rationale: "An orphan interface holds its MAC and IP; a new VM given the same MAC by hand collides with its policy.",
        severity: .warning,
        remedy: .person,
        question: "Is the VM deleted (remove the NC interface), on a host whose export is missing (export that host), or one that never started?",
        examples: [
            CheckExample("an interface nobody holds", Inventory(
                adapters: [Example.vm("A", "001DD8B71C21")],
                interfaces: [Example.nic("a-nic", "001DD8B71C21"), Example.nic("gone", "001DD8B71C22")]),
                triggers: ["00-1D-D8-B7-1C-22"]),
            CheckExample("no adapter export for the cluster: nothing to compare", Inventory(
                interfaces: [Example.nic("gone", "001DD8B71C22")])),
        ])

    public func findings(in snapshot: Snapshot, rules: Rules) -> [Finding] {
        let clustersWithHostVNICs = Set(snapshot.holders.filter(\.isManagementOS).map(\.cluster))
        return snapshot.holders.compactMap { holder -> Finding? in
            guard !holder.hasAdapter, snapshot.clustersWithAdapters.contains(holder.cluster), let nic = holder.interface else { return nil }
            // Host vNIC interfaces can only be matched against `Get-VMNetworkAdapter -All` exports.
            if nic.isHostVNIC && !clustersWithHostVNICs.contains(holder.cluster) { return nil }
            let mac = nic.mac.address.map { "\($0)" } ?? "no MAC"
            return Self.info.finding(
                mac: nic.mac.address,
                message: "NC interface '\(nic.resourceId)' (\(mac)) has no adapter in the exports of cluster '\(holder.cluster)': deleted VM, unexported host or a VM that never started",
                holders: [holder], rules: rules)
        }
    }
}

extension CheckID {
    public static let ncOrphan = CheckID("nc-orphan")
}
