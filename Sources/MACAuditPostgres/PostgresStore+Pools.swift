import Foundation
import MACAudit
import PostgresNIO

/// Pools and reservations. Free space is not kept as rows (SQLite keeps free runs): it is read
/// from the MAC indexes of assignments and pending reservations within a range, which every writer
/// updates anyway, so no second structure can drift from them under concurrent writers.
extension PostgresStore {
    public func addPools(_ specs: [PoolSpec], allowOverlap: Bool) throws -> [PoolAddOutcome] {
        for spec in specs { if let refusal = PoolRules.refusal(of: spec, allowOverlap: allowOverlap) { throw refusal } }
        let what = specs.count == 1 ? "adding pool '\(specs[0].name)'" : "adding \(specs.count) pools"
        return try writing(what) { try specs.map { try add($0, allowOverlap: allowOverlap) } }
    }

    private func add(_ spec: PoolSpec, allowOverlap: Bool) throws -> PoolAddOutcome {
        if let existing = try storedPool(named: spec.name) { return try PoolRules.sameName(spec, existing: existing.spec) }
        for r in spec.ranges {
            if let clash = try rows("""
                SELECT p.name, r.first, r.last FROM poolRange r JOIN pool p ON p.id = r.poolId
                WHERE r.first <= \(r.upper.stored) AND r.last >= \(r.lower.stored) ORDER BY r.id LIMIT 1
                """).first {
                let (other, first, last) = try clash.decode((String, Int64, Int64).self)
                if let otherRange = MACRange(MACAddress(stored: first), MACAddress(stored: last)),
                   let refusal = PoolRules.overlapRefusal(spec, range: r, other: other, otherRange: otherRange, allowOverlap: allowOverlap) {
                    throw refusal
                }
            }
        }
        guard let poolId = try scalar(Int64.self, """
            INSERT INTO pool (name, scope, host, cluster, kind, source, createdAt)
            VALUES (\(spec.name), \(spec.scope.rawValue), \(spec.host), \(spec.cluster), \(spec.kind.rawValue), \(spec.source), \(Date()))
            RETURNING id
            """) else { throw StoreError.failed(location: location, operation: "adding pool '\(spec.name)'", reason: "no row id") }
        for r in spec.ranges {
            try run("INSERT INTO poolRange (poolId, first, last) VALUES (\(poolId), \(r.lower.stored), \(r.upper.stored))")
        }
        return .added
    }

    public func pools() throws -> [StoredPool] {
        try reading("listing pools") {
            try storedPools(PostgresQuery(unsafeSQL: "\(Self.poolSelect) GROUP BY p.id ORDER BY p.name COLLATE \"C\""))
        }
    }

    public func removePool(named name: String) throws {
        try writing("removing pool '\(name)'") {
            guard let pool = try storedPool(named: name) else { throw StoreError.notFound("no pool named '\(name)'") }
            try lowerMarks(try rows("UPDATE reservation SET state = 'released' WHERE poolId = \(pool.id) AND state = 'pending' RETURNING mac")
                .map { try $0.decode(Int64.self) })
            try run("DELETE FROM pool WHERE id = \(pool.id)")
        }
    }

    /// Each used MAC counted once, as the first that holds it: a live holder, a gone one in its
    /// grace period, a pending reservation; free space from the gaps between them.
    public func utilisation(ofPool name: String) throws -> PoolUtilisation {
        try reading("reading pool '\(name)'") {
            guard let pool = try storedPool(named: name) else { throw StoreError.notFound("no pool named '\(name)'") }
            var u = PoolUtilisation(size: 0, inUse: 0, reserved: 0, free: 0, largestFreeRun: 0, firstFree: nil)
            for r in pool.spec.ranges {
                let first = r.lower.stored, last = r.upper.stored
                u.size += UInt64(last - first + 1)
                let used = try usedMACs(from: first, through: last)
                var kinds = [UInt64](repeating: 0, count: 3)
                for (_, kind) in used { kinds[kind] += 1 }
                u.inUse += kinds[0]; u.gone += kinds[1]; u.reserved += kinds[2]
                var cursor = first
                for (mac, _) in used {
                    if mac > cursor { note(free: cursor, mac - 1, &u) }
                    cursor = mac + 1
                }
                if cursor <= last { note(free: cursor, last, &u) }
            }
            return u
        }
    }

    private func note(free first: Int64, _ last: Int64, _ u: inout PoolUtilisation) {
        u.free += UInt64(last - first + 1)
        u.largestFreeRun = max(u.largestFreeRun, UInt64(last - first + 1))
        if u.firstFree == nil { u.firstFree = MACAddress(stored: first) }
    }

    /// The used MACs of `first…last`, ascending, each with how it is used (0 live, 1 gone, 2 reserved).
    func usedMACs(from first: Int64, through last: Int64) throws -> [(Int64, Int)] {
        try rows("""
            SELECT mac, min(kind) FROM (
                SELECT mac, CASE state WHEN 'live' THEN 0 ELSE 1 END AS kind FROM assignment
                WHERE state <> 'released' AND mac BETWEEN \(first) AND \(last)
                UNION ALL SELECT mac, 2 FROM reservation WHERE state = 'pending' AND mac BETWEEN \(first) AND \(last)) used
            GROUP BY mac ORDER BY mac
            """).map { row in let (m, k) = try row.decode((Int64, Int32).self); return (m, Int(k)) }
    }

    func storedPool(named name: String) throws -> StoredPool? {
        try storedPools(PostgresQuery(unsafeSQL: "\(Self.poolSelect) WHERE p.name = $1 GROUP BY p.id", binds: {
            var b = PostgresBindings(); b.append(name); return b }())).first
    }

    /// A pool with its ranges in one row (one round trip: a reservation is a handful of them).
    static let poolSelect = """
        SELECT p.id, p.name, p.scope, p.host, p.cluster, p.kind, p.source,
               array_agg(r.first ORDER BY r.first) FILTER (WHERE r.id IS NOT NULL), array_agg(r.last ORDER BY r.first) FILTER (WHERE r.id IS NOT NULL)
        FROM pool p LEFT JOIN poolRange r ON r.poolId = p.id
        """

    func storedPools(_ query: PostgresQuery) throws -> [StoredPool] {
        try rows(query).map { row in
            let (id, name, scopeText, host, cluster, kindText, source, firsts, lasts) =
                try row.decode((Int64, String, String, String?, String?, String, String, [Int64]?, [Int64]?).self)
            guard let scope = PoolSpec.Scope(rawValue: scopeText), let kind = PoolKind(rawValue: kindText) else {
                throw StoreError.failed(location: location, operation: "reading pool '\(name)'",
                                        reason: "scope '\(scopeText)' or kind '\(kindText)' is not one this build knows")
            }
            let ranges = zip(firsts ?? [], lasts ?? []).compactMap { MACRange(MACAddress(stored: $0), MACAddress(stored: $1)) }
            return StoredPool(id: id, spec: PoolSpec(name: name, scope: scope, host: host, cluster: cluster, source: source, kind: kind, ranges: ranges))
        }
    }

    // MARK: - Reservations

    /// The `count` lowest free MACs of the pool outside `skipping`, all or none, under the writer
    /// lock. Each range's search starts at its low-water mark (everything below it is used) and
    /// reads the used MACs above it a page at a time, so a reservation costs a few index reads
    /// however full the pool is; the mark moves up past what it took.
    public func reserveNext(inPool name: String, holder: String, runId: Int64?, count: Int, skipping: [MACRange]) throws -> [MACAddress] {
        guard count > 0 else { return [] }
        return try writing("reserving \(count) MAC(s) of pool '\(name)'") {
            guard let pool = try storedPool(named: name) else { throw StoreError.notFound("no pool named '\(name)'") }
            let skip = skipping.sorted { $0.lower < $1.lower }
            var taken: [Int64] = []
            for row in try rows("SELECT id, first, last, COALESCE(lowWater, first) FROM poolRange WHERE poolId = \(pool.id) ORDER BY first")
            where taken.count < count {
                let (rangeId, first, last, mark) = try row.decode((Int64, Int64, Int64, Int64).self)
                var candidate = max(first, mark), lowWater = candidate, contiguous = true
                // The page holds every used MAC from where it was read through `coveredThrough`.
                var page: [Int64] = [], next = 0, coveredThrough = candidate - 1
                while taken.count < count, candidate <= last {
                    if candidate > coveredThrough {
                        page = try usedMACs(from: candidate, through: last, limit: Self.page)
                        next = 0
                        coveredThrough = page.count < Self.page ? last : page[page.count - 1]
                    }
                    while next < page.count, page[next] < candidate { next += 1 }
                    if next < page.count, page[next] == candidate {
                        candidate += 1
                        if contiguous { lowWater = candidate }
                        continue
                    }
                    if let s = skip.first(where: { $0.contains(MACAddress(stored: candidate)) }) {
                        candidate = s.upper.stored + 1
                        contiguous = false
                        continue
                    }
                    taken.append(candidate)
                    candidate += 1
                    if contiguous { lowWater = candidate }
                }
                try run("UPDATE poolRange SET lowWater = \(lowWater) WHERE id = \(rangeId) AND COALESCE(lowWater, first) < \(lowWater)")
            }
            guard taken.count == count else {
                throw StoreError.refused("pool '\(name)' has room for \(taken.count) of the \(count) MAC(s) asked for; nothing was reserved")
            }
            try run("""
                INSERT INTO reservation (mac, poolId, holderKey, runId, state, createdAt)
                SELECT m, \(pool.id), \(holder), \(runId), 'pending', \(Date()) FROM unnest(\(taken)::bigint[]) AS m
                """)
            return taken.map(MACAddress.init(stored:))
        }
    }

    static let page = 512

    /// The used MACs (assignments not released, pending reservations) of `first…last`, ascending, at most `limit`.
    private func usedMACs(from first: Int64, through last: Int64, limit: Int) throws -> [Int64] {
        try rows("""
            SELECT mac FROM (
                (SELECT mac FROM assignment WHERE state <> 'released' AND mac BETWEEN \(first) AND \(last) ORDER BY mac LIMIT \(Int64(limit)))
                UNION (SELECT mac FROM reservation WHERE state = 'pending' AND mac BETWEEN \(first) AND \(last) ORDER BY mac LIMIT \(Int64(limit)))) used
            ORDER BY mac LIMIT \(Int64(limit))
            """).map { try $0.decode(Int64.self) }
    }

    /// MACs that may have become free: every range holding one lowers its mark to it.
    func lowerMarks(_ macs: [Int64]) throws {
        guard !macs.isEmpty else { return }
        try run("""
            UPDATE poolRange r SET lowWater = x.low FROM (
                SELECT r2.id, min(m.mac) AS low FROM poolRange r2 JOIN unnest(\(macs)::bigint[]) AS m(mac) ON m.mac BETWEEN r2.first AND r2.last
                GROUP BY r2.id) x
            WHERE r.id = x.id AND r.lowWater IS NOT NULL AND r.lowWater > x.low
            """)
    }

    public func reservations(holder: String? = nil) throws -> [Reservation] {
        try reading("listing reservations") { try reservationRows(holder: holder, pendingOnly: false) }
    }

    private func reservationRows(holder: String?, pendingOnly: Bool, before: Date? = nil) throws -> [Reservation] {
        let query: PostgresQuery = """
            SELECT r.mac, p.name, r.holderKey, r.label, r.runId, r.state, r.createdAt FROM reservation r LEFT JOIN pool p ON p.id = r.poolId
            WHERE (\(holder)::text IS NULL OR r.holderKey = \(holder)) AND (NOT \(pendingOnly) OR r.state = 'pending')
              AND (\(before)::timestamptz IS NULL OR r.createdAt < \(before))
            ORDER BY r.id
            """
        return try rows(query).map { row in
            let (mac, pool, key, label, runId, stateText, createdAt) = try row.decode((Int64, String?, String, String?, Int64?, String, Date).self)
            guard let state = Reservation.State(rawValue: stateText) else {
                throw StoreError.failed(location: location, operation: "reading reservations", reason: "'\(stateText)' is not a state this build knows")
            }
            return Reservation(mac: MACAddress(stored: mac), pool: pool, holder: key, label: label, runId: runId, state: state, createdAt: createdAt)
        }
    }

    public func pendingClaims() throws -> [Reservation] {
        try reading("listing reservations") { try reservationRows(holder: nil, pendingOnly: true) }
    }

    public func releaseStale(before date: Date) throws -> [Reservation] {
        try writing("releasing stale reservations") {
            let stale = try reservationRows(holder: nil, pendingOnly: true, before: date)
            try lowerMarks(try rows("UPDATE reservation SET state = 'released' WHERE state = 'pending' AND createdAt < \(date) RETURNING mac")
                .map { try $0.decode(Int64.self) })
            return stale
        }
    }

    public func pendingReservations() throws -> [String: MACAddress] {
        try reading("reading pending reservations") {
            var out: [String: MACAddress] = [:]
            for r in try reservationRows(holder: nil, pendingOnly: true) { out[r.holder] = r.mac }
            return out
        }
    }

    public func usedMACs() throws -> [UInt64] {
        try reading("reading the MACs in use") {
            try rows("SELECT mac FROM assignment WHERE state <> 'released' UNION SELECT mac FROM reservation WHERE state = 'pending' ORDER BY 1")
                .map { UInt64(try $0.decode(Int64.self)) }
        }
    }

    /// All or none, under the writer lock: every request is checked against what the database
    /// holds now; only when none conflicts are the reservations written.
    public func reserve(_ requests: [ReservationRequest], runId: Int64?) throws -> ReservationOutcome {
        try writing("reserving the plan's MACs") {
            var conflicts: [ReservationConflict] = []
            for r in requests {
                if let other = try scalar(String.self, """
                    SELECT holderKey FROM reservation WHERE state = 'pending' AND mac = \(r.mac.stored) AND holderKey <> \(r.holder) LIMIT 1
                    """) {
                    conflicts.append(ReservationConflict(mac: r.mac, requestedBy: r.holder, heldBy: other))
                } else if r.mac != r.current, let holder = try otherHolder(of: r.mac.stored, than: r.holder) {
                    conflicts.append(ReservationConflict(mac: r.mac, requestedBy: r.holder, heldBy: holder))
                }
            }
            guard conflicts.isEmpty else { return .conflicts(conflicts) }
            var new = 0, kept = 0
            for r in requests {
                if try scalar(Int64.self, """
                    SELECT count(*) FROM reservation WHERE state = 'pending' AND holderKey = \(r.holder) AND mac = \(r.mac.stored)
                    """) ?? 0 > 0 {
                    kept += 1
                    continue
                }
                try lowerMarks(try rows("UPDATE reservation SET state = 'released' WHERE state = 'pending' AND holderKey = \(r.holder) RETURNING mac")
                    .map { try $0.decode(Int64.self) })
                try run("""
                    INSERT INTO reservation (mac, poolId, holderKey, label, runId, state, createdAt, fromMAC)
                    VALUES (\(r.mac.stored), (SELECT id FROM pool WHERE name = \(r.pool)), \(r.holder), \(r.label), \(runId), 'pending', \(Date()),
                            \(r.current?.stored))
                    """)
                new += 1
            }
            return .reserved(new: new, kept: kept)
        }
    }

    public func release(mac: MACAddress) throws -> Bool {
        try writing("releasing \(mac)") {
            guard try run("UPDATE reservation SET state = 'released' WHERE mac = \(mac.stored) AND state = 'pending'") > 0 else { return false }
            try lowerMarks([mac.stored])
            return true
        }
    }

    /// The key of a holder other than `holder` (by its key or its alias) that holds `mac`.
    private func otherHolder(of mac: Int64, than holder: String) throws -> String? {
        for (_, a) in try assignmentRows(where: "a.mac = \(mac) AND a.state <> 'released' ORDER BY a.id") {
            let s = a.sighting
            if s.key != holder && (s.alias ?? "") != holder { return s.key }
        }
        return nil
    }
}
