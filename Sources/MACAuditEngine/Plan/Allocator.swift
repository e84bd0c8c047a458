import MACAuditModel
import MACAuditIngest
/// Hands out new MACs for a plan: the lowest free address of the right pool, walking up from a
/// per-pool cursor over a sorted array of every used MAC, so that a pool 90 % full costs a few
/// steps per MAC, not a scan.
struct Allocator {
    /// Every MAC that must not be handed out: holders, wire stations, the pool database's
    /// assignments and reservations. Sorted, unique.
    private let used: [UInt64]
    /// The pool database's assignments and reservations alone, sorted.
    private let database: [UInt64]
    private var proposed: Set<UInt64> = []
    private var cursors: [PoolKey: (next: UInt64, usedIndex: Int)] = [:]
    /// Candidates looked at and used MACs stepped over, over every allocation: what the cursors
    /// keep near one pool's share of used addresses per MAC handed out, not a scan of the pool.
    private(set) var steps = 0
    private let holderCounts: [UInt64: Int]
    /// The pools a plan may draw from (defined, suggested), by whom they serve: a host's (by
    /// ``HostName/key(_:)``), a cluster's, the fleet's. Thousands of per-host plan pools are looked
    /// up, never scanned, per host.
    private let byHost: [String: [Pool]]
    private let byCluster: [String: [Pool]]
    private let fleetPools: [Pool]
    private let reserved: ReservedPrefixIndex
    /// Ranges another allocator hands out (host dynamic ranges — a host's own plan range included —,
    /// NC macPools, SCVMM pools), merged and sorted: never allocated from, even where a defined pool
    /// overlaps them. A static MAC inside a range Hyper-V draws from would be handed out again.
    private var foreign: [MACRange]

    struct PoolKey: Hashable { var name: String; var lower: UInt64 }

    enum Failure: Error {
        case noPool(String)
        case full(String)

        var message: String {
            switch self {
            case .noPool(let s), .full(let s): return s
            }
        }
    }

    init(snapshot: Snapshot, rules: Rules, alsoUsed: [UInt64], suggested: [Pool] = []) {
        var all = snapshot.holders.compactMap { $0.mac.address?.value }
        var counts: [UInt64: Int] = [:]
        for v in all { counts[v, default: 0] += 1 }
        holderCounts = counts
        if let wire = snapshot.wire { all += wire.table.stations.map(\.mac.value) }
        all.sort()
        // The database's list comes sorted (it can be millions): merge instead of sorting it again.
        let database = zip(alsoUsed, alsoUsed.dropFirst()).allSatisfy { $0 <= $1 } ? alsoUsed : alsoUsed.sorted()
        var unique: [UInt64] = []
        unique.reserveCapacity(all.count + database.count)
        var i = 0, j = 0
        while i < all.count || j < database.count {
            let v: UInt64
            if j == database.count || (i < all.count && all[i] <= database[j]) { v = all[i]; i += 1 } else { v = database[j]; j += 1 }
            if unique.last != v { unique.append(v) }
        }
        used = unique
        self.database = database
        let drawable = (snapshot.pools + suggested).filter { $0.kind == .defined || $0.kind == .suggested }
        byHost = Dictionary(grouping: drawable.filter { $0.host != nil }, by: { HostName.key($0.host!) })
        byCluster = Dictionary(grouping: drawable.filter { $0.host == nil && $0.cluster != nil }, by: { $0.cluster! })
        fleetPools = drawable.filter { $0.host == nil && $0.cluster == nil }
        foreign = Self.merged(snapshot.pools.filter { $0.kind == .hostDynamic || $0.kind == .controller || $0.kind == .scvmm }.map(\.range))
        // Entries the admin rates as info (the SLAP reserved quadrant, NLB) do not stop allocation:
        // a pool defined there is the admin's choice.
        reserved = ReservedPrefixIndex(rules.reservedPrefixes.filter { $0.severity >= .warning })
    }

    /// Ranges that become another allocator's by this plan (a host's new dynamic range).
    mutating func avoid(_ ranges: [MACRange]) { foreign = Self.merged(foreign + ranges) }

    /// Sorted, disjoint ranges covering exactly the addresses of `ranges`.
    static func merged(_ ranges: [MACRange]) -> [MACRange] {
        ranges.sorted().reduce(into: [MACRange]()) { merged, r in
            if let last = merged.last, r.lower.value <= last.upper.value &+ 1 {
                if r.upper > last.upper { merged[merged.count - 1] = MACRange(last.lower, r.upper)! }
            } else {
                merged.append(r)
            }
        }
    }

    func holderCount(_ mac: UInt64) -> Int { holderCounts[mac] ?? 0 }
    /// True when the pool database has the MAC assigned or reserved (binary search).
    func isInDatabase(_ mac: UInt64) -> Bool {
        var lo = 0, hi = database.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if database[mid] < mac { lo = mid + 1 } else { hi = mid }
        }
        return lo < database.count && database[lo] == mac
    }
    func isProposed(_ mac: UInt64) -> Bool { proposed.contains(mac) }
    mutating func propose(_ mac: UInt64) { proposed.insert(mac) }

    private var candidateCache: [CandidateKey: [Pool]] = [:]
    struct CandidateKey: Hashable { var host: String; var cluster: String; var managed: Bool }

    /// ``candidatePools(for:)`` once per host, cluster and SDN management.
    mutating func cachedCandidates(for h: Holder) -> [Pool] {
        let key = CandidateKey(host: h.host, cluster: h.cluster, managed: h.isControllerManaged)
        if let pools = candidateCache[key] { return pools }
        let pools = candidatePools(for: h)
        candidateCache[key] = pools
        return pools
    }

    /// The pools a holder may draw from, best first (see ``Planner``): defined for its host, for its
    /// cluster, for the fleet; where none is, the suggested plan's range of its host.
    func candidatePools(for h: Holder) -> [Pool] {
        let own = (byHost[HostName.key(h.host)] ?? []).filter { $0.cluster == nil || $0.cluster == h.cluster }
        func rank(_ p: Pool) -> Int {
            if p.kind == .suggested { return 3 }
            return p.host != nil ? 0 : p.cluster != nil ? 1 : 2
        }
        let ranked = (own + (byCluster[h.cluster] ?? []) + fleetPools).map { ($0, rank($0)) }.sorted { ($0.1, $0.0.range) < ($1.1, $1.0.range) }
        // The suggested plan stands in only where the rules define nothing for the holder.
        return (ranked.contains { $0.1 < 3 } ? ranked.filter { $0.1 < 3 } : ranked).map(\.0)
    }

    /// The range a host's dynamic allocation should use: its pool in a defined plan (or a pool
    /// defined for that host), else its range in the suggested plan.
    func planPool(host: String, cluster: String) -> Pool? {
        let own = (byHost[HostName.key(host)] ?? []).filter { $0.cluster == nil || $0.cluster == cluster }
        return own.first { $0.kind == .defined && $0.range.count == UInt64(PoolDesigner.addressesPerHost) }
            ?? own.first { $0.kind == .defined } ?? own.first { $0.kind == .suggested }
    }

    mutating func allocate(for h: Holder) -> Result<(MACAddress, Pool), Failure> {
        let candidates = cachedCandidates(for: h)
        guard !candidates.isEmpty else {
            return .failure(.noPool("no pool applies to \(h.label), and the suggested plan has no range for its host (see `macaudit pool suggest`): define one for its host or cluster in rules/pools.yaml"))
        }
        for pool in candidates {
            if let mac = next(in: pool) { return .success((mac, pool)) }
        }
        return .failure(.full("no room in \(candidates.map { "'\($0.name)'" }.joined(separator: ", ")) for \(h.label)"))
    }

    /// The lowest address of `pool` at or above its cursor that nothing uses or reserves.
    private mutating func next(in pool: Pool) -> MACAddress? {
        let key = PoolKey(name: pool.name, lower: pool.range.lower.value)
        var (candidate, index) = cursors[key] ?? (pool.range.lower.value, lowerBound(pool.range.lower.value))
        defer { cursors[key] = (candidate, index) }
        while candidate <= pool.range.upper.value {
            while index < used.count && used[index] < candidate { index += 1; steps += 1 }
            steps += 1
            let mac = MACAddress(uncheckedValue: candidate)
            if index < used.count && used[index] == candidate || proposed.contains(candidate) || mac.isGroup {
                candidate += 1
                continue
            }
            if let range = foreignRange(containing: candidate) {
                candidate = range.upper.value + 1  // another allocator's range: over it
                continue
            }
            if let r = reserved.firstMatch(mac), case .range(let range) = r.match {
                candidate = range.upper.value + 1  // jump over the whole reserved range
                continue
            } else if reserved.firstMatch(mac) != nil {
                candidate += 1
                continue
            }
            proposed.insert(candidate)
            candidate += 1
            return mac
        }
        return nil
    }

    /// The foreign range that contains `mac`, if any (the ranges are merged and disjoint: binary
    /// search for the last one starting at or below it).
    private func foreignRange(containing mac: UInt64) -> MACRange? {
        var lo = 0, hi = foreign.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if foreign[mid].lower.value <= mac { lo = mid + 1 } else { hi = mid }
        }
        return lo > 0 && foreign[lo - 1].upper.value >= mac ? foreign[lo - 1] : nil
    }

    private func lowerBound(_ x: UInt64) -> Int {
        var lo = 0, hi = used.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if used[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
