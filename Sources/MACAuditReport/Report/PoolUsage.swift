import MACAuditModel
import MACAuditEngine
/// How full each pool of the audit is: used by holders of the audit, free the rest.
public struct PoolUsage: Sendable {
    public var pool: Pool
    public var used: UInt64
    public var free: UInt64 { pool.range.count - used }
    public var share: Double { Double(used) / Double(pool.range.count) }
}

extension AuditReport {
    /// One line per distinct pool range, nearest exhaustion first.
    public var poolUsage: [PoolUsage] {
        let inUse = InUseIndex(snapshot.holders.compactMap { $0.mac.address })
        var seen = Set<String>()
        return snapshot.pools.filter { seen.insert("\($0.name)|\($0.range)").inserted }
            .map { PoolUsage(pool: $0, used: UInt64(inUse.count(in: $0.range))) }
            .sorted { ($1.share, $0.pool.name) < ($0.share, $1.pool.name) }
    }
}
