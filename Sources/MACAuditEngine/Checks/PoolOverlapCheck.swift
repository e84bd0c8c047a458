import MACAuditModel
import MACAuditIngest
/// Two pools hand out the same addresses. The classic case: hosts cloned from one image keep the
/// registry's MinimumMacAddress/MaximumMacAddress (sysprep does not reset them), or two hosts whose
/// IP addresses end in the same two octets get the same default range. Also NC macPools of two
/// controllers on one segment, or an NC pool inside a host's dynamic range.
public struct PoolOverlapCheck: Check {
    public init() {}

    public static let info = CheckInfo(
        id: .poolOverlap,
        summary: "two MAC pools overlap",
        rationale: "Two allocators drawing from the same addresses will sooner or later hand one MAC to two VMs.",
        severity: .error,
        remedy: .repairRange,
        examples: [
            CheckExample("identical ranges on cloned hosts", Inventory(pools: [
                Example.hostPool("HV01", "00155D010000", "00155D0100FF"), Example.hostPool("HV02", "00155D010000", "00155D0100FF"),
            ]), triggers: ["00-15-5D-01-00-00"]),
            CheckExample("an NC pool overlapping a host pool", Inventory(pools: [
                Example.hostPool("HV01", "00155D010000", "00155D0100FF"), Example.ncPool("nc", "00155D010080", "00155D01FFFF"),
            ]), triggers: ["00-15-5D-01-00-80"]),
            CheckExample("adjacent ranges do not overlap", Inventory(pools: [
                Example.hostPool("HV01", "00155D010000", "00155D0100FF"), Example.hostPool("HV02", "00155D010100", "00155D0101FF"),
            ])),
            CheckExample("a host's dynamic range set to its own plan range", Inventory(pools: [
                Example.hostPool("HV01", "021DD8010000", "021DD8010FFF"),
                Pool(name: "plan/C1/HV01", range: PoolPlan.range(prefix: 0x021DD8, clusterByte: 1, hostNibble: 0), kind: .defined, host: "HV01", cluster: "C1"),
            ])),
            CheckExample("a host's dynamic range inside another host's plan range", Inventory(pools: [
                Example.hostPool("HV02", "021DD8010000", "021DD8010FFF"),
                Pool(name: "plan/C1/HV01", range: PoolPlan.range(prefix: 0x021DD8, clusterByte: 1, hostNibble: 0), kind: .defined, host: "HV01", cluster: "C1"),
            ]), triggers: ["02-1D-D8-01-00-00"]),
            CheckExample("one NC pool exported twice is one pool", Inventory(pools: [
                Example.ncPool("nc", "001DD8B71C00", "001DD8B71FFF"), Example.ncPool("nc", "001DD8B71C00", "001DD8B71FFF"),
            ])),
        ])

    public func findings(in snapshot: Snapshot, rules: Rules) -> [Finding] {
        let pools = distinct(snapshot.pools).sorted { ($0.range, $0.name) < ($1.range, $1.name) }
        var active: [Pool] = []
        var out: [Finding] = []
        for pool in pools {
            active.removeAll { $0.range.upper < pool.range.lower }
            for other in active where !Self.isHostsOwnPlanRange(other, pool) {
                guard let shared = other.range.intersection(pool.range) else { continue }
                if let f = finding(other, pool, shared, rules) { out.append(f) }
            }
            active.append(pool)
        }
        return out
    }

    /// A host's dynamic range inside a defined (or suggested) pool of that same host is the seed
    /// plan at work (strategy 2: Hyper-V hands out the host's plan range), not two allocators.
    static func isHostsOwnPlanRange(_ a: Pool, _ b: Pool) -> Bool {
        let (dynamic, planned) = a.kind == .hostDynamic ? (a, b) : (b, a)
        guard dynamic.kind == .hostDynamic, planned.kind == .defined || planned.kind == .suggested,
              let host = dynamic.host, let plannedHost = planned.host, HostName.key(host) == HostName.key(plannedHost) else { return false }
        return planned.range.lower <= dynamic.range.lower && dynamic.range.upper <= planned.range.upper
    }

    /// The same pool reported twice (one NC export read twice, a host listed twice, a pool both in
    /// the inputs and in the pool database under another name) counts once: same range, kind and owner.
    private func distinct(_ pools: [Pool]) -> [Pool] {
        struct Key: Hashable { var range: MACRange; var kind: PoolKind; var host: String?; var cluster: String? }
        var seen = Set<Key>()
        return pools.filter { seen.insert(Key(range: $0.range, kind: $0.kind, host: $0.host.map(HostName.key), cluster: $0.cluster)).inserted }
    }

    private func finding(_ a: Pool, _ b: Pool, _ shared: MACRange, _ rules: Rules) -> Finding? {
        let how = a.range == b.range
            ? "have the identical range \(a.range)" + (a.kind == .hostDynamic && b.kind == .hostDynamic ? " (hosts cloned from one image keep the registry's MAC range)" : "")
            : "share \(shared.count) addresses (\(shared))"
        return Self.info.finding(
            mac: shared.lower,
            message: "pools '\(a.name)' (\(a.kind.rawValue)) and '\(b.name)' (\(b.kind.rawValue)) \(how)",
            holders: [], extraSubjects: [a, b].map { Subject(kind: "pool", cluster: $0.cluster, host: $0.host, name: $0.name) },
            extraEvidence: [Evidence(a.source), Evidence(b.source)], rules: rules)
    }
}

extension CheckID {
    public static let poolOverlap = CheckID("pool-overlap")
}
