import MACAuditModel
import MACAuditIngest
/// A Hyper-V dynamic MAC that came from another host's pool: the VM moved (live migration keeps a
/// dynamic MAC) and the source host, which allocates sequentially and wraps, will hand the same MAC
/// to a new VM. Ben Armstrong, "Hyper-V and Dynamic MAC Address Regeneration".
public struct ForeignPoolDynamicCheck: Check {
    public init() {}

    public static let info = CheckInfo(
        id: .foreignPoolDynamic,
        summary: "a dynamic MAC belongs to another host's dynamic pool",
        rationale: "The host that owns the range will allocate this MAC again; give the VM a static MAC.",
        severity: .warning,
        remedy: .move,
        examples: [
            CheckExample("a VM on HV02 holding a MAC of HV01's pool", Inventory(
                adapters: [Example.vm("A", "00155D010001", host: "HV02", dynamic: true)],
                pools: [Example.hostPool("HV01", "00155D010000", "00155D0100FF"), Example.hostPool("HV02", "00155D020000", "00155D0200FF")]),
                triggers: ["00-15-5D-01-00-01"]),
            CheckExample("a static MAC from another host's pool is not dynamic", Inventory(
                adapters: [Example.vm("A", "00155D010001", host: "HV02", dynamic: false)],
                pools: [Example.hostPool("HV01", "00155D010000", "00155D0100FF")])),
            CheckExample("a dynamic MAC from its own host's pool", Inventory(
                adapters: [Example.vm("A", "00155D020001", host: "HV02", dynamic: true)],
                pools: [Example.hostPool("HV02", "00155D020000", "00155D0200FF")])),
        ])

    public func findings(in snapshot: Snapshot, rules: Rules) -> [Finding] {
        let index = PoolIndex(snapshot.pools.filter { $0.kind == .hostDynamic })
        return snapshot.holders.compactMap { holder -> Finding? in
            guard holder.dynamicMAC == true, let mac = holder.mac.address else { return nil }
            let owners = index.pools(containing: mac)
            let here = HostName.key(holder.host)
            guard !owners.isEmpty, !owners.contains(where: { $0.host.map(HostName.key) == here }) else { return nil }
            let names = owners.compactMap(\.host).joined(separator: ", ")
            return Self.info.finding(
                mac: mac,
                message: "\(mac) of \(holder.label) is a dynamic MAC from the pool of \(names), which will hand it out again",
                holders: [holder], extraSubjects: owners.map { Subject(kind: "pool", cluster: $0.cluster, host: $0.host, name: $0.name) },
                extraEvidence: owners.map { Evidence($0.source) }, rules: rules)
        }
    }
}

extension CheckID {
    public static let foreignPoolDynamic = CheckID("foreign-pool-dynamic")
}
