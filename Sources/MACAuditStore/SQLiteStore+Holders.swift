import Foundation
import GRDB
import GRDBSQLite
import MACAudit

/// The holder side of recording an audit, and what later audits read back (``HolderRegistry``).
///
/// Holders are filed by *place*: one export as audits read it (a host's adapters from one file, a
/// cluster's NC interfaces). A place remembers the last run that read it, and a live holder of a
/// place was seen by that run (had it not been, it would be gone): so an unchanged holder is never
/// rewritten, and re-auditing a million unchanged holders writes one row per export.
extension SQLiteStore {
    struct Place: Hashable {
        var cluster: String
        var host: String
        var kind: String
        var source: String
    }

    /// The places of some clusters: ids both ways, and the last run that read each.
    struct Places {
        var ids: [Place: Int64] = [:]
        var byId: [Int64: Place] = [:]
        var lastRun: [Int64: Int64] = [:]

        init(_ db: Database, clusters: Set<String>) throws {
            let select = try db.cachedStatement(sql: "SELECT id, host, kind, source, lastRunId FROM place WHERE cluster = ?")
            for cluster in clusters.sorted() {
                for row in try Row.fetchAll(select, arguments: [cluster]) {
                    let place = Place(cluster: cluster, host: row[1], kind: row[2], source: row[3])
                    let id: Int64 = row[0]
                    ids[place] = id
                    byId[id] = place
                    if let last = row[4] as Int64? { lastRun[id] = last }
                }
            }
        }

        /// The id of a place, added to the database when new.
        mutating func id(_ place: Place, _ db: Database) throws -> Int64 {
            if let id = ids[place] { return id }
            try db.execute(sql: "INSERT INTO place (cluster, host, kind, source) VALUES (?, ?, ?, ?)",
                           arguments: [place.cluster, place.host, place.kind, place.source])
            let id = db.lastInsertedRowID
            ids[place] = id
            byId[id] = place
            return id
        }
    }

    /// A non-released assignment of the audited clusters, in integers: what recording compares.
    struct KnownAssignment {
        var id: Int64
        var mac: Int64
        var keyHash: Int64
        var state: Assignment.State
        var digest: Int64
        var placeId: Int64
        var lastRunId: Int64?
        var seen = false
        /// The next row with the same key hash, or -1.
        var next = -1
    }

    /// The assignments of the audited places, chained by key hash; legacy rows by MAC.
    struct KnownAssignments {
        var rows: [KnownAssignment] = []
        var firstByKey: [Int64: Int] = [:]
        var legacyByMAC: [Int64: [Int]] = [:]

        init(_ db: Database, places: Places) throws {
            // Integers only, read through SQLite's column API: a re-audit of a million holders reads them all.
            let select = try db.cachedStatement(sql: """
                SELECT id, mac, keyHash, state = 'live', digest, lastRunId FROM assignment WHERE placeId = ? AND state IN ('live', 'gone')
                """)
            let handle = select.sqliteStatement
            for placeId in places.byId.keys.sorted() {
                sqlite3_reset(handle)
                sqlite3_bind_int64(handle, 1, placeId)
                while true {
                    let code = sqlite3_step(handle)
                    if code == SQLITE_DONE { break }
                    guard code == SQLITE_ROW else { throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection))) }
                    let keyHash = sqlite3_column_int64(handle, 2)
                    let lastRun = sqlite3_column_type(handle, 5) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, 5)
                    let i = rows.count
                    rows.append(KnownAssignment(id: sqlite3_column_int64(handle, 0), mac: sqlite3_column_int64(handle, 1), keyHash: keyHash,
                                                state: sqlite3_column_int64(handle, 3) == 1 ? .live : .gone, digest: sqlite3_column_int64(handle, 4),
                                                placeId: placeId, lastRunId: lastRun))
                    if keyHash == 0 { legacyByMAC[rows[i].mac, default: []].append(i); continue }
                    if let first = firstByKey.updateValue(i, forKey: keyHash) { rows[i].next = first }
                }
            }
            sqlite3_reset(handle)
        }

        /// The position of the row with this key hash and MAC, without building a list (the
        /// common case of a re-audit: one row per key, the same MAC).
        func row(ofKey keyHash: Int64, mac: Int64) -> Int? {
            var i = firstByKey[keyHash] ?? -1
            while i >= 0 { if rows[i].mac == mac { return i }; i = rows[i].next }
            return nil
        }

        /// Positions of the rows with this key hash.
        func rows(ofKey keyHash: Int64) -> [Int] {
            var out: [Int] = [], i = firstByKey[keyHash] ?? -1
            while i >= 0 { out.append(i); i = rows[i].next }
            return out
        }
    }

    /// Records the run's holders inside the caller's transaction: each (holder, MAC) is added,
    /// left alone (unchanged), updated, returned, moved or re-keyed; a holder's other MAC is gone
    /// (`mac-changed`); holders of places the run covered and did not see are gone; gone holders
    /// past the grace period are released and their MACs freed; pending reservations the holder now
    /// has are fulfilled; every place the run covered remembers the run.
    func recordHolders(_ db: Database, _ audit: AuditRecord, runId: Int64, at: String, lap: Lap) throws -> (events: [HolderEvent], tally: HolderTally) {
        var log = EventLog(runId: runId, at: audit.at, text: at)
        var tally = HolderTally()
        var places = try Places(db, clusters: audit.clusters)
        var known = try KnownAssignments(db, places: places)
        lap("known holders")
        let elsewhere = try (Int.fetchOne(db, sql: "SELECT COUNT(*) FROM assignment INDEXED BY assignmentMAC WHERE state <> 'released'") ?? 0)
            - known.rows.count
        let ranges = try FreeRuns.RangeIndex(db)
        // Before any statement is prepared: dropping an index changes the schema, which finalises them.
        let bulk = try BulkLoad(db, expectedNew: audit.holders.count - known.rows.count, elsewhere: elsewhere)
        let writer = try AssignmentWriter(db, runId: runId)
        var inserts = try Inserts(db, runId: runId, location: path)
        // By key hash: the run's MAC of each holder, and the holders that hold theirs statically.
        var thisRun: [Int64: Int64] = [:], staticNow = Set<Int64>()
        thisRun.reserveCapacity(audit.holders.count)
        staticNow.reserveCapacity(audit.holders.count)
        var lastPlace: (Place, Int64)?
        let holders = audit.holders
        var macRange: [Int64: (Int64, Int64)] = [:]  // per place: the lowest and highest MAC this run saw
        for n in 0..<holders.count {
            let sum = holders.summaries[n]
            let mac = sum.mac, keyHash = sum.keyHash, digest = sum.digest
            if let earlier = thisRun[keyHash], earlier == mac { continue }  // one holder reported twice
            let firstOfKey = thisRun.updateValue(mac, forKey: keyHash) == nil
            if sum.dynamicMAC != true { staticNow.insert(keyHash) }
            let origin = holders.place(n)
            let place = Place(cluster: origin.cluster, host: origin.host, kind: origin.kind, source: origin.source)
            let placeId: Int64
            if let lastPlace, lastPlace.0 == place { placeId = lastPlace.1 } else { placeId = try places.id(place, db); lastPlace = (place, placeId) }
            if let r = macRange[placeId] { macRange[placeId] = (min(r.0, mac), max(r.1, mac)) } else { macRange[placeId] = (mac, mac) }
            if let i = known.row(ofKey: keyHash, mac: mac) {
                let row = known.rows[i]
                known.rows[i].seen = true
                tally.seen += 1
                guard row.state != .live || row.digest != digest || row.placeId != placeId else { continue }
                let s = holders.sighting(n)
                try writer.update(row.id, s, keyHash: keyHash, digest: digest, placeId: placeId)
                if row.state == .gone { log.add(s.key, s.label, .returned, to: s.mac); tally.returned += 1 }
                if let old = places.byId[row.placeId], HostName.key(old.host) != HostName.key(s.host) {
                    log.add(s.key, s.label, .moved, fromHost: old.host, toHost: s.host)
                }
                continue
            }
            let s = holders.sighting(n)
            let sameKey = known.rows(ofKey: keyHash)
            if firstOfKey {
                for i in sameKey where !known.rows[i].seen && known.rows[i].state == .live {
                    known.rows[i].seen = true
                    try markGone(db, known.rows[i], lastSeenRun: places.lastRun[known.rows[i].placeId], runId: runId)
                    log.add(s.key, s.label, .macChanged, from: MACAddress(stored: known.rows[i].mac), to: s.mac)
                }
            }
            if let i = known.legacyByMAC[mac]?.first(where: { !known.rows[$0].seen && places.byId[known.rows[$0].placeId]?.cluster == s.cluster }) {
                known.rows[i].seen = true
                try writer.update(known.rows[i].id, s, keyHash: keyHash, digest: digest, placeId: placeId)
                log.add(s.key, s.label, .rekeyed, to: s.mac)
                tally.rekeyed += 1
                continue
            }
            // The same holder and MAC recorded in a cluster this run does not audit (a VM moved
            // between clusters): that row moves here; a released one comes back to life.
            if let other = try writer.existing(s.key, keyHash: keyHash, mac: mac, lookIn: elsewhere > 0) {
                try writer.update(other.id, s, keyHash: keyHash, digest: digest, placeId: placeId)
                if other.state == .released, !ranges.containing(mac).isEmpty { try FreeRuns.markUsed(db, mac: mac, ranges: ranges.containing(mac)) }
                tally.seen += 1
                continue
            }
            try inserts.add(s, placeId: placeId)
            tally.added += 1
            let containing = ranges.containing(mac)
            if !containing.isEmpty { try FreeRuns.markUsed(db, mac: mac, ranges: containing) }
        }
        try inserts.finish()
        lap("holders")
        try bulk.finish(db)
        lap("indexes")
        try retireAliases(db, audit.holders, &known, runId: runId, log: &log)
        tally.gone = try markUnseenGone(db, known, places, audit.coverage, runId: runId, log: &log)
        // A covered place's live holders are now exactly those this run saw there.
        let read = try db.cachedStatement(sql: "UPDATE place SET lastRunId = ?, minMAC = ?, maxMAC = ? WHERE id = ?")
        for (place, id) in places.ids where audit.coverage.covers(kind: place.kind, cluster: place.cluster, host: place.host, source: place.source) {
            let range = macRange[id]
            try read.execute(arguments: [runId, range?.0 ?? 1, range?.1 ?? 0, id])
        }
        tally.released = try release(db, before: StoredDate.text(audit.at.addingTimeInterval(-audit.releaseAfter)), runId: runId, log: &log)
        tally.fulfilled = try fulfil(db, thisRun, staticNow, runId: runId, log: &log)
        try log.write(db)
        lap("gone, released, fulfilled")
        return (log.events, tally)
    }

    /// Many new rows into a table that has none elsewhere (a first audit, a new site): the indexes
    /// are dropped and built again after the inserts, inside the same transaction — one sort per
    /// index instead of a random B-tree insert per row. Nothing reads them meanwhile: lookups
    /// outside the audited places happen only when there are rows elsewhere, and then this is off.
    struct BulkLoad {
        static let indexes = [
            ("assignmentKey", "CREATE INDEX assignmentKey ON assignment(keyHash)"),
            ("assignmentMAC", "CREATE INDEX assignmentMAC ON assignment(mac) WHERE state <> 'released'"),
            ("assignmentPlace", "CREATE INDEX assignmentPlace ON assignment(placeId, state)"),
        ]
        let on: Bool

        init(_ db: Database, expectedNew: Int, elsewhere: Int) throws {
            on = elsewhere == 0 && expectedNew >= 50_000
            guard on else { return }
            for (name, _) in Self.indexes { try db.execute(sql: "DROP INDEX \(name)") }
        }

        func finish(_ db: Database) throws {
            guard on else { return }
            for (_, create) in Self.indexes { try db.execute(sql: create) }
        }
    }

    /// New rows, written `batch` at a time by one multi-row INSERT (one statement step per batch
    /// instead of per row: a first audit inserts a million), the rest one by one at the end.
    struct Inserts {
        static let batch = 32
        static let columns = """
            mac, holderKey, keyHash, placeId, alias, vm, name, adapterId, interfaceId, instanceId, interfaceMAC, allocation, dynamicMAC,
            controllerManaged, switchId, switchKey, segment, record, line, digest, firstRunId, lastRunId, state
            """
        static let values = "(" + Array(repeating: "?", count: 22).joined(separator: ", ") + ", 'live')"
        var many: RawStatement
        var one: RawStatement
        var pending: [(HolderSighting, Int64)] = []
        let runId: Int64
        let location: String

        init(_ db: Database, runId: Int64, location: String) throws {
            let sql = "INSERT INTO assignment (\(Self.columns)) VALUES "
            many = RawStatement(try db.cachedStatement(sql: sql + Array(repeating: Self.values, count: Self.batch).joined(separator: ", ")), db,
                                operation: "recording the audit's holders")
            one = RawStatement(try db.cachedStatement(sql: sql + Self.values), db, operation: "recording the audit's holders")
            self.runId = runId
            self.location = location
            pending.reserveCapacity(Self.batch)
        }

        mutating func add(_ s: HolderSighting, placeId: Int64) throws {
            pending.append((s, placeId))
            guard pending.count == Self.batch else { return }
            for (s, placeId) in pending { AssignmentWriter.bind(s, placeId: placeId, runId: runId, into: &many) }
            try many.run(location)
            pending.removeAll(keepingCapacity: true)
        }

        mutating func finish() throws {
            for (s, placeId) in pending {
                AssignmentWriter.bind(s, placeId: placeId, runId: runId, into: &one)
                try one.run(location)
            }
            pending.removeAll()
        }
    }

    /// The statements that write assignments, prepared once per recording.
    struct AssignmentWriter {
        let updateStatement: Statement
        let findStatement: Statement
        let runId: Int64

        init(_ db: Database, runId: Int64) throws {
            self.runId = runId
            updateStatement = try db.cachedStatement(sql: """
                UPDATE assignment SET mac = ?, holderKey = ?, keyHash = ?, placeId = ?, alias = ?, vm = ?, name = ?, adapterId = ?,
                    interfaceId = ?, instanceId = ?, interfaceMAC = ?, allocation = ?, dynamicMAC = ?, controllerManaged = ?, switchId = ?,
                    switchKey = ?, segment = ?, record = ?, line = ?, digest = ?, state = 'live', goneRunId = NULL, releasedRunId = NULL,
                    lastRunId = ?
                WHERE id = ?
                """)
            findStatement = try db.cachedStatement(sql: "SELECT id, state FROM assignment WHERE keyHash = ? AND holderKey = ? AND mac = ? LIMIT 1")
        }

        private func fields(_ s: HolderSighting, keyHash: Int64, digest: Int64, placeId: Int64) -> StatementArguments {
            [s.mac.stored, s.key, keyHash, placeId, s.alias, s.vm, s.name, Compact.adapterId(s), s.interfaceId, s.instanceId, s.interfaceMAC?.stored,
             s.allocation, s.dynamicMAC, s.controllerManaged, s.switchId, Compact.switchKey(s), s.segment, s.source.record, s.source.line, digest]
        }

        /// Binds one new row's values, in the column order of ``Inserts``.
        static func bind(_ s: HolderSighting, placeId: Int64, runId: Int64, into raw: inout RawStatement) {
            raw.bind(s.mac.stored); raw.bind(s.key); raw.bind(s.keyHash); raw.bind(placeId); raw.bind(s.alias); raw.bind(s.vm)
            raw.bind(s.name); raw.bind(Compact.adapterId(s)); raw.bind(s.interfaceId); raw.bind(s.instanceId); raw.bind(s.interfaceMAC?.stored)
            raw.bind(s.allocation); raw.bind(s.dynamicMAC); raw.bind(s.controllerManaged); raw.bind(s.switchId); raw.bind(Compact.switchKey(s))
            raw.bind(s.segment); raw.bind(s.source.record); raw.bind(s.source.line); raw.bind(s.digest); raw.bind(runId); raw.bind(runId)
        }

        /// Every field of a known row from a sighting: live, written by this run.
        func update(_ id: Int64, _ s: HolderSighting, keyHash: Int64, digest: Int64, placeId: Int64) throws {
            var args = fields(s, keyHash: keyHash, digest: digest, placeId: placeId)
            args += [runId, id]
            try updateStatement.execute(arguments: args)
        }

        /// The row of this holder and MAC outside the audited places, when there can be one.
        func existing(_ key: String, keyHash: Int64, mac: Int64, lookIn: Bool) throws -> (id: Int64, state: Assignment.State)? {
            guard lookIn, let row = try Row.fetchOne(findStatement, arguments: [keyHash, key, mac]) else { return nil }
            return (row[0], try SQLiteStore.state(row[1]))
        }
    }

    static func state(_ text: String) throws -> Assignment.State {
        guard let state = Assignment.State(rawValue: text) else {
            throw StoreError.failed(location: "assignment.state", operation: "reading an assignment", reason: "'\(text)' is not a state this build knows")
        }
        return state
    }

    /// Gone in this run; it was last seen by the last run that read its place (or that wrote it).
    private func markGone(_ db: Database, _ row: KnownAssignment, lastSeenRun: Int64?, runId: Int64) throws {
        let lastSeen = max(row.lastRunId ?? 0, lastSeenRun ?? 0)
        try db.cachedStatement(sql: "UPDATE assignment SET state = 'gone', goneRunId = ?, lastRunId = ? WHERE id = ?")
            .execute(arguments: [runId, lastSeen == 0 ? nil : lastSeen, row.id])
    }

    /// An NC interface recorded alone before and now joined to its adapter is one holder: its own
    /// row ends (the pair's row holds the MAC), as a `rekeyed` event.
    private func retireAliases(_ db: Database, _ holders: HolderSightings, _ known: inout KnownAssignments, runId: Int64, log: inout EventLog) throws {
        for n in 0..<holders.count where holders.summaries[n].aliasHash != 0 {
            let rows = known.rows(ofKey: holders.summaries[n].aliasHash).filter { !known.rows[$0].seen }
            guard !rows.isEmpty else { continue }
            let s = holders.sighting(n)
            for i in rows {
                known.rows[i].seen = true
                try db.execute(sql: "UPDATE assignment SET state = 'released', releasedRunId = ? WHERE id = ? AND holderKey = ?",
                               arguments: [runId, known.rows[i].id, s.alias])
                log.add(s.key, s.label, .rekeyed, to: s.mac)
            }
        }
    }

    /// Live rows of the places the run covered (it read their export, their host's adapters or their
    /// cluster's NC interfaces) that it did not see are gone.
    private func markUnseenGone(_ db: Database, _ known: KnownAssignments, _ places: Places, _ coverage: Coverage, runId: Int64,
                                log: inout EventLog) throws -> Int {
        var covered: [Int64: Bool] = [:]
        for (id, p) in places.byId { covered[id] = coverage.covers(kind: p.kind, cluster: p.cluster, host: p.host, source: p.source) }
        var gone = 0
        for row in known.rows where !row.seen && row.state == .live && covered[row.placeId] == true {
            try markGone(db, row, lastSeenRun: places.lastRun[row.placeId], runId: runId)
            let (key, label) = try describe(db, row.id)
            log.add(key, label, .gone, from: MACAddress(stored: row.mac))
            gone += 1
        }
        return gone
    }

    /// Gone rows whose grace period ended: released, their MACs free unless something else holds them.
    private func release(_ db: Database, before cutoff: String, runId: Int64, log: inout EventLog) throws -> Int {
        // Through the partial index of gone rows (a fleet has few), never a scan of every assignment.
        let due = try Row.fetchAll(db, sql: """
            SELECT a.id, a.mac FROM assignment a INDEXED BY assignmentGone JOIN run r ON r.id = a.goneRunId
            WHERE a.state = 'gone' AND r.startedAt <= ? ORDER BY a.id
            """, arguments: [cutoff])
        for row in due {
            let id: Int64 = row[0], mac: Int64 = row[1]
            try db.execute(sql: "UPDATE assignment SET state = 'released', releasedRunId = ? WHERE id = ?", arguments: [runId, id])
            if try !FreeRuns.isUsed(db, mac: mac) { try FreeRuns.markFree(db, mac: mac, ranges: try FreeRuns.rangesContaining(db, mac: mac)) }
            let (key, label) = try describe(db, id)
            log.add(key, label, .released, from: MACAddress(stored: mac))
        }
        return due.count
    }

    /// Pending reservations whose holder this run saw with the reserved MAC are fulfilled: it did
    /// not have the MAC when reserved, or it now holds it statically (a dynamic MAC made static; a
    /// reservation of an older macaudit does not say what the holder had).
    private func fulfil(_ db: Database, _ thisRun: [Int64: Int64], _ staticNow: Set<Int64>, runId: Int64, log: inout EventLog) throws -> Int {
        var fulfilled = 0
        for r in try ReservationRecord.filter(Column("state") == Reservation.State.pending).fetchAll(db) {
            let key = HolderSighting.keyHash(r.holderKey)
            guard thisRun[key] == r.mac, (r.fromMAC != nil && r.fromMAC != r.mac) || staticNow.contains(key) else { continue }
            try db.execute(sql: "UPDATE reservation SET state = 'fulfilled', fulfilledRunId = ? WHERE id = ?", arguments: [runId, r.id])
            log.add(r.holderKey, r.label ?? r.holderKey, .fulfilled, to: MACAddress(stored: r.mac))
            fulfilled += 1
        }
        return fulfilled
    }

    /// A row's key and label, for an event.
    private func describe(_ db: Database, _ id: Int64) throws -> (String, String) {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT a.holderKey, p.kind, p.cluster, p.host, a.vm, a.name FROM assignment a JOIN place p ON p.id = a.placeId WHERE a.id = ?
            """, arguments: [id]) else { return ("?", "?") }
        let host: String = row[3]
        return (row[0], Subject(kind: row[1], cluster: row[2], host: host.isEmpty ? nil : host, vm: row[4], name: row[5]).label)
    }

    /// The events of one run, written to `holderEvent` at the end of the recording.
    struct EventLog {
        let runId: Int64
        let at: Date
        let text: String
        var events: [HolderEvent] = []

        mutating func add(_ key: String, _ label: String, _ kind: HolderEvent.Kind, from: MACAddress? = nil, to: MACAddress? = nil,
                          fromHost: String? = nil, toHost: String? = nil) {
            events.append(HolderEvent(runId: runId, at: at, holder: key, label: label, kind: kind, from: from, to: to, fromHost: fromHost, toHost: toHost))
        }

        func write(_ db: Database) throws {
            let insert = try db.cachedStatement(sql: """
                INSERT INTO holderEvent (runId, at, holderKey, label, kind, fromMAC, toMAC, fromHost, toHost) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for e in events {
                try insert.execute(arguments: [runId, text, e.holder, e.label, e.kind, e.from?.stored, e.to?.stored, e.fromHost, e.toHost])
            }
        }
    }
}

// MARK: - Reading holders back

extension SQLiteStore {
    /// See ``HolderRegistry/recordedHolders(_:)``. Uncovered places of the audited clusters come
    /// from the place table; holders of other clusters are matched on MAC from whichever side is
    /// smaller: their MACs against the run's (sorted, binary search), or the run's MACs joined
    /// through a temporary table.
    public func recordedHolders(_ query: RecordedHolderQuery) throws -> [RecordedHolder] {
        try reading("reading the database's holders") { db in
            let runDates = try Self.runDates(db)
            let places = try Places(db, clusters: query.coverage.clusters)
            var ids: [Int64] = []
            let atPlace = try db.cachedStatement(sql: "SELECT id, lastRunId FROM assignment WHERE placeId = ? AND state = 'live'")
            for (id, p) in places.byId.sorted(by: { $0.key < $1.key })
            where p.kind != "imported" && !query.coverage.covers(kind: p.kind, cluster: p.cluster, host: p.host, source: p.source) {
                for row in try Row.fetchAll(atPlace, arguments: [id]) {
                    let lastSeen = max(row[1] as Int64? ?? 0, places.lastRun[id] ?? 0)
                    if let date = runDates[lastSeen], date >= query.since { ids.append(row[0]) }
                }
            }
            ids += try otherClusters(db, query, runDates)
            return try ids.sorted().map { try recordedHolder(db, id: $0, runDates) }
                .sorted { ($0.sighting.cluster, $0.sighting.host, $0.sighting.key) < ($1.sighting.cluster, $1.sighting.host, $1.sighting.key) }
        }
    }

    static func runDates(_ db: Database) throws -> [Int64: Date] {
        var out: [Int64: Date] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, startedAt FROM run") { out[row[0]] = try StoredDate.parse(row[1], "run.startedAt") }
        return out
    }

    /// Ids of live rows of clusters not audited that hold one of the run's MACs: only the places
    /// whose MAC range holds one of them are read (sites with their own prefixes share none), and a
    /// place whose range is not known (a row of an older release) is always read.
    private func otherClusters(_ db: Database, _ query: RecordedHolderQuery, _ runDates: [Int64: Date]) throws -> [Int64] {
        guard !query.macs.isEmpty else { return [] }
        let audited = query.coverage.clusters.sorted()
        let marks = audited.map { _ in "?" }.joined(separator: ", ")
        let filter = audited.isEmpty ? "" : " AND cluster NOT IN (\(marks))"
        var candidates: [(id: Int64, lastRun: Int64)] = []
        let rows = try db.cachedStatement(sql: "SELECT id, mac, lastRunId FROM assignment WHERE placeId = ? AND state = 'live'")
        for place in try Row.fetchAll(db, sql: "SELECT id, lastRunId, minMAC, maxMAC FROM place WHERE kind <> 'imported'\(filter)",
                                      arguments: StatementArguments(audited)) {
            let low: Int64? = place[2], high: Int64? = place[3]
            if let low, let high, !Self.sortedContains(query.macs, from: UInt64(max(low, 0)), through: UInt64(max(high, 0))) { continue }
            let placeRun: Int64 = place[1] ?? 0
            for row in try Row.fetchAll(rows, arguments: [place[0] as Int64]) where Self.sortedContains(query.macs, UInt64(row[1] as Int64)) {
                candidates.append((row[0], max(row[2] as Int64? ?? 0, placeRun)))
            }
        }
        return candidates.filter { (runDates[$0.lastRun] ?? .distantPast) >= query.since }.map(\.id)
    }

    /// Whether the sorted values hold one within `low…high`.
    static func sortedContains(_ sorted: [UInt64], from low: UInt64, through high: UInt64) -> Bool {
        guard low <= high else { return false }
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sorted[mid] < low { lo = mid + 1 } else { hi = mid }
        }
        return lo < sorted.count && sorted[lo] <= high
    }

    static func sortedContains(_ sorted: [UInt64], _ value: UInt64) -> Bool {
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sorted[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        return lo < sorted.count && sorted[lo] == value
    }

    private static let assignmentColumns = "SELECT a.*, p.cluster, p.host, p.kind, p.source, p.lastRunId AS placeLastRunId FROM assignment a JOIN place p ON p.id = a.placeId"

    private func recordedHolder(_ db: Database, id: Int64, _ runDates: [Int64: Date]) throws -> RecordedHolder {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "\(Self.assignmentColumns) WHERE a.id = ?"), arguments: [id]) else {
            throw StoreError.failed(location: path, operation: "reading the database's holders", reason: "assignment \(id) vanished")
        }
        let a = try Self.assignment(row, runDates)
        return RecordedHolder(sighting: a.sighting, lastRunId: a.lastSeenRunId, lastSeen: a.lastSeen)
    }

    /// An assignment row joined with its place; dates from the runs that wrote and saw it.
    static func assignment(_ row: Row, _ runDates: [Int64: Date]) throws -> Assignment {
        let sighting = HolderSighting(
            key: row["holderKey"], alias: row["alias"], mac: MACAddress(stored: row["mac"]), kind: row["kind"], cluster: row["cluster"],
            host: row["host"], vm: row["vm"], name: row["name"], adapterId: Compact.adapterId(stored: row["adapterId"], key: row["holderKey"]),
            interfaceId: row["interfaceId"],
            instanceId: row["instanceId"], interfaceMAC: (row["interfaceMAC"] as Int64?).map(MACAddress.init(stored:)),
            allocation: row["allocation"], dynamicMAC: row["dynamicMAC"], controllerManaged: row["controllerManaged"],
            switchId: row["switchId"], switchKey: Compact.switchKey(stored: row["switchKey"], host: row["host"], switchId: row["switchId"]),
            segment: row["segment"], source: SourceLocation(path: row["source"], record: row["record"], line: row["line"]))
        let state = try state(row["state"])
        let firstRun: Int64? = row["firstRunId"], lastRun: Int64? = row["lastRunId"], placeRun: Int64? = row["placeLastRunId"]
        // A live holder was seen by its place's last run; a gone or released one last by its own.
        let seenRun = state == .live ? max(lastRun ?? 0, placeRun ?? 0) : (lastRun ?? 0)
        let goneRun: Int64? = row["goneRunId"]
        return Assignment(sighting: sighting, state: state, firstSeen: firstRun.flatMap { runDates[$0] } ?? .distantPast,
                          lastSeen: runDates[seenRun] ?? .distantPast, firstRunId: firstRun, lastRunId: seenRun == 0 ? nil : seenRun,
                          goneAt: goneRun.flatMap { runDates[$0] })
    }

    public func holderEvents(run: Int64?, holder: String?) throws -> [HolderEvent] {
        try reading("reading holder events") { db in
            var conditions: [String] = [], args: StatementArguments = []
            if let run { conditions.append("runId = ?"); args += [run] }
            if let holder { conditions.append("holderKey = ?"); args += [holder] }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            return try Row.fetchAll(db, sql: "SELECT * FROM holderEvent \(filter) ORDER BY id", arguments: args).map { row in
                let kindText: String = row["kind"]
                guard let kind = HolderEvent.Kind(rawValue: kindText) else {
                    throw StoreError.failed(location: path, operation: "reading holder events", reason: "'\(kindText)' is not an event this build knows")
                }
                return HolderEvent(runId: row["runId"], at: try StoredDate.parse(row["at"], "holderEvent.at"), holder: row["holderKey"],
                                   label: row["label"], kind: kind, from: (row["fromMAC"] as Int64?).map(MACAddress.init(stored:)),
                                   to: (row["toMAC"] as Int64?).map(MACAddress.init(stored:)), fromHost: row["fromHost"], toHost: row["toHost"])
            }
        }
    }

    public func assignments(matching text: String) throws -> [Assignment] {
        try reading("reading assignments") { db in
            let runDates = try Self.runDates(db)
            let pattern = "%\(text.replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_"))%"
            return try Row.fetchAll(db, sql: """
                \(Self.assignmentColumns)
                WHERE a.holderKey LIKE ?1 ESCAPE '\\' OR a.vm LIKE ?1 ESCAPE '\\' OR a.name LIKE ?1 ESCAPE '\\'
                ORDER BY a.id DESC LIMIT 1000
                """, arguments: [pattern]).map { try Self.assignment($0, runDates) }
        }
    }
}

/// The steps of recording an audit, timed on stderr under `MACAUDIT_PROFILE` (as the audit's
/// phases are): `macaudit:   holders 1.234 s`.
final class Lap {
    private var last = Date()
    private let on = ProcessInfo.processInfo.environment["MACAUDIT_PROFILE"] != nil

    func callAsFunction(_ step: String) {
        guard on else { return }
        let now = Date()
        FileHandle.standardError.write(Data(String(format: "macaudit:   record: %@ %.3f s\n", step, now.timeIntervalSince(last)).utf8))
        last = now
    }
}

/// Fields a row need not repeat because its key or its other fields give them: an adapter's `Id`
/// as Hyper-V writes it (upper-case GUIDs) is its key's text, and a switch key is the host's and
/// the switch id's. A first audit of a million holders writes 130 bytes less per row.
enum Compact {
    private static let adapterPrefix = "adapter:microsoft:"

    /// `""` when the adapter's Id is `Microsoft:` and the upper-cased rest of its key; else the Id.
    static func adapterId(_ s: HolderSighting) -> String? {
        guard let id = s.adapterId, s.key.hasPrefix(adapterPrefix), id == derivedAdapterId(s.key) else { return s.adapterId }
        return ""
    }

    static func adapterId(stored: String?, key: String) -> String? {
        stored == "" && key.hasPrefix(adapterPrefix) ? derivedAdapterId(key) : stored
    }

    private static func derivedAdapterId(_ key: String) -> String { "Microsoft:" + key.dropFirst(adapterPrefix.count).uppercased() }

    /// Nil when it is the host's key and the switch id, as the reconciler builds it.
    static func switchKey(_ s: HolderSighting) -> String? {
        guard let id = s.switchId, s.switchKey == "\(HostName.key(s.host))/\(id)" else { return s.switchKey }
        return nil
    }

    static func switchKey(stored: String?, host: String, switchId: String?) -> String? {
        stored ?? switchId.map { "\(HostName.key(host))/\($0)" }
    }
}
