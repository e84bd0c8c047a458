import MACAuditModel
import MACAuditIngest
/// A pool that is (nearly) full. Hyper-V fails to start a NIC when its host's dynamic pool is
/// exhausted ("Attempt to access invalid address", KB 2804678); an NC pool that is full refuses
/// new Dynamic interfaces.
public struct PoolExhaustionCheck: Check {
    public init() {}

    public enum Variant: String, CheckVariant { case full, nearlyFull = "nearly-full" }

    /// Share of a pool in use from which the check warns.
    static let warnAt = 0.9

    public static let info = CheckInfo(
        id: .poolExhaustion,
        summary: "a MAC pool is 90% or more in use",
        rationale: "When a pool runs out, new NICs fail to start or take a MAC from outside any pool.",
        severity: .warning,
        remedy: .repairRange,
        question: "Which addresses can the pool grow into? Widen its range where it is defined, or add a pool for its hosts (macaudit pool suggest shows the plan ranges that are free).",
        variants: [Variant.full: .error, .nearlyFull: .warning],
        examples: [
            CheckExample("a full pool of four", Inventory(
                adapters: (1...4).map { Example.vm("V\($0)", "00155D01000\($0 - 1)") },
                pools: [Example.hostPool("HV01", "00155D010000", "00155D010003")]),
                triggers: ["00-15-5D-01-00-00"], severity: .error),
            CheckExample("a pool a quarter used", Inventory(
                adapters: [Example.vm("V", "00155D010000")],
                pools: [Example.hostPool("HV01", "00155D010000", "00155D010003")])),
        ])

    public func findings(in snapshot: Snapshot, rules: Rules) -> [Finding] {
        let inUse = InUseIndex(snapshot.holders.compactMap { $0.mac.address })
        return snapshot.pools.compactMap { pool -> Finding? in
            let used = inUse.count(in: pool.range)
            let share = Double(used) / Double(pool.range.count)
            guard share >= Self.warnAt else { return nil }
            let full = UInt64(used) >= pool.range.count
            return Self.info.finding(
                full ? Variant.full : .nearlyFull, mac: pool.range.lower,
                message: "pool '\(pool.name)' (\(pool.range)) has \(used) of \(pool.range.count) addresses in use\(full ? ": it is full" : "")",
                holders: [], extraSubjects: [Subject(kind: "pool", cluster: pool.cluster, host: pool.host, name: pool.name)],
                extraEvidence: [Evidence(pool.source)], rules: rules)
        }
    }
}

extension CheckID {
    public static let poolExhaustion = CheckID("pool-exhaustion")
}
