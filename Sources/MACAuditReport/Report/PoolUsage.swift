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
    /// One line per distinct pool range, nearest exhaustion first. A pool of a cluster (an NC
    /// macPool, a host's range, a cluster's defined pool) is used by the holders of that cluster;
    /// a fleet pool by every holder.
    public var poolUsage: [PoolUsage] {
        let holders = snapshot.auditedHolders
        let everyone = InUseIndex(holders.compactMap { $0.mac.address })
        let clusters = Set(runs: holders.map(\.cluster))
        var byCluster: [String: InUseIndex] = [:]
        if clusters.count == 1, let only = clusters.first {
            byCluster[only] = everyone
        } else {
            for (cluster, holders) in Dictionary(grouping: holders, by: \.cluster) {
                byCluster[cluster] = InUseIndex(holders.compactMap { $0.mac.address })
            }
        }
        let nobody = InUseIndex([MACAddress]())
        /// A cluster's pool is used by its holders (none: nobody); a fleet pool by everyone.
        func inUse(_ pool: Pool) -> InUseIndex { pool.cluster.map { byCluster[$0] ?? nobody } ?? everyone }
        var seen = Set<String>()
        return snapshot.pools.filter { seen.insert("\($0.cluster ?? "")|\($0.name)|\($0.range)").inserted }
            .map { PoolUsage(pool: $0, used: UInt64(inUse($0).count(in: $0.range))) }
            .sorted { ($1.share, $0.pool.name) < ($0.share, $1.pool.name) }
    }
}
