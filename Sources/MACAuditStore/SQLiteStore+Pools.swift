import Foundation
import GRDB
import MACAudit

extension SQLiteStore {
    /// Adds pools, all or none, in one transaction (see ``PoolCatalog/addPools(_:allowOverlap:)``).
    /// What is refused, and with what words, is ``PoolRules``'s decision; an overlap candidate is
    /// found through the range index, which already holds the earlier pools of the same call.
    public func addPools(_ specs: [PoolSpec], allowOverlap: Bool) throws -> [PoolAddOutcome] {
        for spec in specs { if let refusal = PoolRules.refusal(of: spec, allowOverlap: allowOverlap) { throw refusal } }
        let what = specs.count == 1 ? "adding pool '\(specs[0].name)'" : "adding \(specs.count) pools"
        return try immediate(what) { db in try specs.map { try add($0, allowOverlap: allowOverlap, db) } }
    }

    /// One pool, inside the caller's transaction.
    private func add(_ spec: PoolSpec, allowOverlap: Bool, _ db: Database) throws -> PoolAddOutcome {
        if let existing = try storedPool(db, named: spec.name) { return try PoolRules.sameName(spec, existing: existing.spec) }
        for r in spec.ranges {
            if let clash = try PoolRangeRecord.fetchOne(db, sql: "SELECT * FROM poolRange WHERE first <= ? AND last >= ? LIMIT 1",
                                                        arguments: [r.upper.stored, r.lower.stored]),
               let other = try PoolRecord.fetchOne(db, key: clash.poolId), let otherRange = clash.range,
               let refusal = PoolRules.overlapRefusal(spec, range: r, other: other.name, otherRange: otherRange, allowOverlap: allowOverlap) {
                throw refusal
            }
        }
        var pool = PoolRecord(id: nil, name: spec.name, scope: spec.scope, host: spec.host, cluster: spec.cluster, kind: spec.kind,
                              source: spec.source, createdAt: StoredDate.text(Date()))
        try pool.insert(db)
        guard let poolId = pool.id else { throw StoreError.failed(location: path, operation: "adding pool '\(spec.name)'", reason: "no row id") }
        for r in spec.ranges {
            var range = PoolRangeRecord(id: nil, poolId: poolId, first: r.lower.stored, last: r.upper.stored)
            try range.insert(db)
            try FreeRuns.initialise(db, range: db.lastInsertedRowID, first: r.lower.stored, last: r.upper.stored)
        }
        return .added
    }

    public func pools() throws -> [StoredPool] {
        try reading("listing pools") { db in
            try PoolRecord.order(Column("name")).fetchAll(db).map { try storedPool(db, $0) }
        }
    }

    /// Removes a pool and its ranges; its pending reservations are released (kept as history).
    public func removePool(named name: String) throws {
        try immediate("removing pool '\(name)'") { db in
            guard let pool = try storedPool(db, named: name) else { throw StoreError.notFound("no pool named '\(name)'") }
            try db.execute(sql: "UPDATE reservation SET state = 'released' WHERE poolId = ? AND state = 'pending'", arguments: [pool.id])
            try db.execute(sql: "DELETE FROM pool WHERE id = ?", arguments: [pool.id])
        }
    }

    /// Size, in use (live holders), gone (in their grace period), reserved, free and the largest
    /// free run: sums over the pool's free runs and index range counts, no scan of the address space.
    public func utilisation(ofPool name: String) throws -> PoolUtilisation {
        try reading("reading pool '\(name)'") { db in
            guard let pool = try storedPool(db, named: name) else { throw StoreError.notFound("no pool named '\(name)'") }
            var u = PoolUtilisation(size: 0, inUse: 0, reserved: 0, free: 0, largestFreeRun: 0, firstFree: nil)
            for range in try PoolRangeRecord.filter(Column("poolId") == pool.id).order(Column("first")).fetchAll(db) {
                let id = range.id, first = range.first, last = range.last
                u.size += UInt64(last - first + 1)
                u.free += UInt64(try Int64.fetchOne(db, sql: "SELECT COALESCE(SUM(last - first + 1), 0) FROM freeRun WHERE rangeId = ?", arguments: [id]) ?? 0)
                // Each used MAC counted once, as the first that holds it: a live holder, a gone one
                // in its grace period, a pending reservation. So size = in use + gone + reserved + free.
                for row in try Row.fetchAll(db, sql: """
                    WITH used(mac, kind) AS (
                        SELECT mac, CASE state WHEN 'live' THEN 0 ELSE 1 END FROM assignment WHERE state <> 'released' AND mac BETWEEN ?1 AND ?2
                        UNION ALL SELECT mac, 2 FROM reservation WHERE state = 'pending' AND mac BETWEEN ?1 AND ?2)
                    SELECT kind, COUNT(*) FROM (SELECT mac, MIN(kind) AS kind FROM used GROUP BY mac) GROUP BY kind
                    """, arguments: [first, last]) {
                    let kind: Int = row[0], count = UInt64(row[1] as Int64)
                    switch kind {
                    case 0: u.inUse += count
                    case 1: u.gone += count
                    default: u.reserved += count
                    }
                }
                if let longest = try Int64.fetchOne(db, sql: "SELECT MAX(last - first) FROM freeRun WHERE rangeId = ?", arguments: [id]) {
                    u.largestFreeRun = max(u.largestFreeRun, UInt64(longest + 1))
                }
                if u.firstFree == nil, let lowest = try Int64.fetchOne(db, sql: "SELECT first FROM freeRun WHERE rangeId = ? ORDER BY first LIMIT 1", arguments: [id]) {
                    u.firstFree = MACAddress(stored: lowest)
                }
            }
            return u
        }
    }

    /// Records MACs as in use in one transaction (seeding a database from an inventory system or a
    /// generated fleet); pools' free runs follow.
    public func importAssignments(_ macs: [MACAddress], holder: String, at date: Date) throws {
        try immediate("importing assignments") { db in
            let ranges = try FreeRuns.RangeIndex(db)
            try db.execute(sql: "INSERT OR IGNORE INTO place (cluster, host, kind, source) VALUES ('', '', 'imported', 'import')")
            let place = try Int64.fetchOne(db, sql: "SELECT id FROM place WHERE cluster = '' AND host = '' AND kind = 'imported' AND source = 'import'")
            let key = "imported:\(holder)", keyHash = HolderSighting.keyHash(key)
            let packed = Data(PackedSighting.encode(HolderSighting(key: key, mac: MACAddress(stored: 0), kind: "imported", cluster: "", host: "",
                                                                   name: holder, segment: "", source: SourceLocation(path: "import", record: 0, line: 0))))
            let held = try db.cachedStatement(sql: "SELECT holder FROM assignment WHERE mac = ? AND keyHash = ? AND state <> 'released'")
            let insert = try db.cachedStatement(sql: """
                INSERT INTO assignment (mac, keyHash, placeId, digest, holder, state) VALUES (?, ?, ?, 0, ?, 'live')
                """)
            for mac in macs {
                let already = try Data.fetchAll(held, arguments: [mac.stored, keyHash])
                    .contains { try $0.withUnsafeBytes { try Self.packedKey($0, path) } == key }
                guard !already else { continue }
                try insert.execute(arguments: [mac.stored, keyHash, place, packed])
                let containing = ranges.containing(mac.stored)
                if !containing.isEmpty { try FreeRuns.markUsed(db, mac: mac.stored, ranges: containing) }
            }
        }
    }

    /// How many separate free runs the pool's ranges hold (its fragmentation).
    public func freeRunCount(ofPool name: String) throws -> Int {
        try reading("reading pool '\(name)'") { db in
            guard let pool = try storedPool(db, named: name) else { throw StoreError.notFound("no pool named '\(name)'") }
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM freeRun WHERE rangeId IN (SELECT id FROM poolRange WHERE poolId = ?)", arguments: [pool.id]) ?? 0
        }
    }

    func storedPool(_ db: Database, named name: String) throws -> StoredPool? {
        try PoolRecord.filter(Column("name") == name).fetchOne(db).map { try storedPool(db, $0) }
    }

    func storedPool(_ db: Database, _ record: PoolRecord) throws -> StoredPool {
        let id = record.id ?? 0
        let ranges = try PoolRangeRecord.filter(Column("poolId") == id).order(Column("first")).fetchAll(db).compactMap(\.range)
        let spec = PoolSpec(name: record.name, scope: record.scope, host: record.host, cluster: record.cluster, source: record.source,
                            kind: record.kind, ranges: ranges)
        return StoredPool(id: id, spec: spec)
    }

    // MARK: - Reservations

    /// Reserves the `count` lowest free MACs of the pool outside `skipping`, all or none, in one
    /// `BEGIN IMMEDIATE` transaction: range by range, the first free run at or above a cursor (an
    /// index lookup), the cursor moved past any skipped range it lands in, each MAC taken out of its
    /// run and given a reservation row.
    public func reserveNext(inPool name: String, holder: String, runId: Int64?, count: Int, skipping: [MACRange]) throws -> [MACAddress] {
        guard count > 0 else { return [] }
        return try immediate("reserving \(count) MAC(s) of pool '\(name)'") { db in
            guard let pool = try storedPool(db, named: name) else { throw StoreError.notFound("no pool named '\(name)'") }
            let skip = skipping.sorted { $0.lower < $1.lower }
            var taken: [Int64] = []
            let now = StoredDate.text(Date())
            for rangeId in try Int64.fetchAll(db, sql: "SELECT id FROM poolRange WHERE poolId = ? ORDER BY first", arguments: [pool.id]) {
                var cursor = Int64.min
                while taken.count < count {
                    guard let (first, last) = try FreeRuns.run(db, range: rangeId, atOrAbove: cursor) else { break }
                    let candidate = max(first, cursor)
                    if let s = skip.first(where: { $0.contains(MACAddress(stored: candidate)) }) {
                        cursor = s.upper.stored + 1
                        continue
                    }
                    guard candidate <= last else { cursor = last + 1; continue }
                    try FreeRuns.markUsed(db, mac: candidate, ranges: try FreeRuns.rangesContaining(db, mac: candidate))
                    var row = ReservationRecord(id: nil, mac: candidate, poolId: pool.id, holderKey: holder, label: nil, runId: runId,
                                                state: .pending, createdAt: now, expiresAt: nil)
                    try row.insert(db)
                    taken.append(candidate)
                    cursor = candidate + 1
                }
                if taken.count == count { break }
            }
            guard taken.count == count else {
                throw StoreError.refused("pool '\(name)' has room for \(taken.count) of the \(count) MAC(s) asked for; nothing was reserved")
            }
            return taken.map(MACAddress.init(stored:))
        }
    }

    public func reservations(holder: String? = nil) throws -> [Reservation] {
        try reading("listing reservations") { db in
            let poolNames = Dictionary(try PoolRecord.fetchAll(db).map { ($0.id ?? 0, $0.name) }, uniquingKeysWith: { a, _ in a })
            var request = ReservationRecord.order(Column("id"))
            if let holder { request = request.filter(Column("holderKey") == holder) }
            return try request.fetchAll(db).map { try reservation($0, poolNames) }
        }
    }

    func reservation(_ r: ReservationRecord, _ poolNames: [Int64: String]) throws -> Reservation {
        Reservation(mac: MACAddress(stored: r.mac), pool: r.poolId.flatMap { poolNames[$0] }, holder: r.holderKey, label: r.label,
                    runId: r.runId, state: r.state, createdAt: try StoredDate.parse(r.createdAt, "reservation.createdAt"))
    }

    public func pendingClaims() throws -> [Reservation] {
        try reservations(holder: nil).filter { $0.state == .pending }
    }

    /// Releases, in one transaction, every pending reservation made before `date`.
    public func releaseStale(before date: Date) throws -> [Reservation] {
        try immediate("releasing stale reservations") { db in
            let poolNames = Dictionary(try PoolRecord.fetchAll(db).map { ($0.id ?? 0, $0.name) }, uniquingKeysWith: { a, _ in a })
            let stale = try ReservationRecord.filter(Column("state") == Reservation.State.pending && Column("createdAt") < StoredDate.text(date))
                .order(Column("id")).fetchAll(db)
            for r in stale {
                try db.execute(sql: "UPDATE reservation SET state = 'released' WHERE id = ?", arguments: [r.id])
                if try !FreeRuns.isUsed(db, mac: r.mac) { try FreeRuns.markFree(db, mac: r.mac, ranges: try FreeRuns.rangesContaining(db, mac: r.mac)) }
            }
            return try stale.map { try reservation($0, poolNames) }
        }
    }

    public func pendingReservations() throws -> [String: MACAddress] {
        try reading("reading pending reservations") { db in
            var out: [String: MACAddress] = [:]
            for r in try ReservationRecord.filter(Column("state") == Reservation.State.pending).order(Column("id")).fetchAll(db) {
                out[r.holderKey] = MACAddress(stored: r.mac)
            }
            return out
        }
    }

    public func usedMACs() throws -> [UInt64] {
        try reading("reading the MACs in use") { db in
            try Int64.fetchAll(db, sql: """
                SELECT mac FROM assignment WHERE state <> 'released' UNION SELECT mac FROM reservation WHERE state = 'pending' ORDER BY 1
                """).map { UInt64($0) }
        }
    }

    /// All or none, in one `BEGIN IMMEDIATE` transaction: first every request is checked against
    /// what the database holds now (a concurrent planner may have reserved, or an audit recorded,
    /// a MAC since this plan read them); only when none conflicts are the reservations written.
    public func reserve(_ requests: [ReservationRequest], runId: Int64?) throws -> ReservationOutcome {
        try immediate("reserving the plan's MACs") { db in
            var conflicts: [ReservationConflict] = []
            for r in requests {
                let m = r.mac.stored
                if let other = try String.fetchOne(db, sql: "SELECT holderKey FROM reservation WHERE state = 'pending' AND mac = ? AND holderKey <> ?",
                                                   arguments: [m, r.holder]) {
                    conflicts.append(ReservationConflict(mac: r.mac, requestedBy: r.holder, heldBy: other))
                } else if r.mac != r.current, let holder = try otherHolder(db, of: m, than: r.holder) {
                    conflicts.append(ReservationConflict(mac: r.mac, requestedBy: r.holder, heldBy: holder))
                }
            }
            guard conflicts.isEmpty else { return .conflicts(conflicts) }
            var new = 0, kept = 0
            let now = StoredDate.text(Date())
            for r in requests {
                let m = r.mac.stored
                if try ReservationRecord.filter(Column("state") == Reservation.State.pending && Column("holderKey") == r.holder && Column("mac") == m).fetchCount(db) > 0 {
                    kept += 1
                    continue
                }
                for old in try Int64.fetchAll(db, sql: "SELECT mac FROM reservation WHERE state = 'pending' AND holderKey = ?", arguments: [r.holder]) {
                    try db.execute(sql: "UPDATE reservation SET state = 'released' WHERE state = 'pending' AND mac = ?", arguments: [old])
                    if try !FreeRuns.isUsed(db, mac: old) { try FreeRuns.markFree(db, mac: old, ranges: try FreeRuns.rangesContaining(db, mac: old)) }
                }
                let poolId = try r.pool.flatMap { try PoolRecord.filter(Column("name") == $0).fetchOne(db)?.id }
                var row = ReservationRecord(id: nil, mac: m, poolId: poolId, holderKey: r.holder, label: r.label, runId: runId, state: .pending,
                                            createdAt: now, expiresAt: nil, fromMAC: r.current?.stored)
                try row.insert(db)
                try FreeRuns.markUsed(db, mac: m, ranges: try FreeRuns.rangesContaining(db, mac: m))
                new += 1
            }
            return .reserved(new: new, kept: kept)
        }
    }

    /// Releases a pending reservation; the MAC becomes free again unless an assignment holds it.
    public func release(mac: MACAddress) throws -> Bool {
        try immediate("releasing \(mac)") { db in
            try db.execute(sql: "UPDATE reservation SET state = 'released' WHERE mac = ? AND state = 'pending'", arguments: [mac.stored])
            guard db.changesCount > 0 else { return false }
            if try !FreeRuns.isUsed(db, mac: mac.stored) {
                try FreeRuns.markFree(db, mac: mac.stored, ranges: try FreeRuns.rangesContaining(db, mac: mac.stored))
            }
            return true
        }
    }

    /// The key of a holder other than `holder` (by its key or its alias) that holds `mac`.
    private func otherHolder(_ db: Database, of mac: Int64, than holder: String) throws -> String? {
        let rows = try Row.fetchAll(db.cachedStatement(sql: "\(Self.assignmentColumns) WHERE a.mac = ? AND a.state <> 'released' ORDER BY a.id"),
                                    arguments: [mac])
        for row in rows {
            let s = try sighting(row)
            if s.key != holder && (s.alias ?? "") != holder { return s.key }
        }
        return nil
    }
}
