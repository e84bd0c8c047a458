import Foundation
import MACAuditModel

/// What the pool database remembers around an audit, for pictures of where the fleet is going:
/// findings per severity over the recorded runs, and how fast each pool fills.
public struct AuditHistory: Sendable {
    /// Every recorded run, oldest first.
    public var runs: [RunSummary]
    /// Per pool (``AuditHistory/key(of:)``), its use's change over the forecast window.
    public var trends: [String: PoolTrend]

    /// The span a forecast's rate is taken over: the runs of the last 30 days.
    public static let window: TimeInterval = 30 * 86_400

    /// A pool's net change of use between the window's first run and the latest one.
    public struct PoolTrend: Sendable, Hashable {
        public var change: UseChange
        /// Days between the two runs.
        public var days: Double
        public var perDay: Double { Double(change.net) / days }

        /// Days until `free` addresses are gone at this rate; nil when the pool is not filling.
        public func daysUntilFull(free: UInt64) -> Double? {
            perDay > 0 ? Double(free) / perDay : nil
        }
    }

    public init(runs: [RunSummary], trends: [String: PoolTrend]) { self.runs = runs; self.trends = trends }

    /// The key of a pool in ``trends``: its cluster, name and range.
    public static func key(of pool: Pool) -> String { "\(pool.cluster ?? "")|\(pool.name)|\(pool.range)" }

    /// Reads the runs and, for each of `pools`, how its use changed from the first run of the last
    /// 30 days to the latest run. No trend unless two runs lie at least a day apart (a rate taken
    /// over minutes would forecast nonsense).
    public static func read(from store: any PoolStore, pools: [Pool]) throws -> AuditHistory {
        let runs = try store.runs().sorted { $0.id < $1.id }
        guard let latest = runs.last,
              let start = runs.first(where: { $0.id < latest.id && $0.at >= latest.at - window }) ?? runs.dropLast().last,
              latest.at.timeIntervalSince(start.at) >= 86_400 else {
            return AuditHistory(runs: runs, trends: [:])
        }
        let days = latest.at.timeIntervalSince(start.at) / 86_400
        var trends: [String: PoolTrend] = [:]
        for pool in pools {
            trends[key(of: pool)] = PoolTrend(change: try store.useChange(in: [pool.range], after: start.id), days: days)
        }
        return AuditHistory(runs: runs, trends: trends)
    }
}
