import Foundation
import GRDB
import MACAudit

/// The holder side of recording an audit, and what later audits read back (``HolderRegistry``).
extension SQLiteStore {
    /// An assignment of the audited clusters as recording needs it: identity, state and digest,
    /// and where it is (for coverage). Labels are read only for the few rows that make an event.
    struct KnownAssignment {
        var id: Int64
        var mac: Int64
        var state: Assignment.State
        var digest: Int64
        var kind: String
        var cluster: String
        var host: String
        var source: String
        var seen = false
    }

    /// Records the run's holders inside the caller's transaction: each (holder, MAC) is added,
    /// seen again, returned, moved or re-keyed; a holder's other MAC is gone (`mac-changed`);
    /// holders the run covered and did not see are gone; gone holders past the grace period are
    /// released and their MACs freed; pending reservations the holder now has are fulfilled.
    func recordHolders(_ db: Database, _ audit: AuditRecord, runId: Int64, at: String) throws -> (events: [HolderEvent], tally: HolderTally) {
        var log = EventLog(runId: runId, at: audit.at, text: at)
        var tally = HolderTally()
        var known = try knownAssignments(db, clusters: audit.clusters)
        var byKey: [String: [Int]] = [:]
        byKey.reserveCapacity(known.rows.count)
        var legacyByMAC: [Int64: [Int]] = [:]
        for (i, key) in known.keys.enumerated() {
            if key.hasPrefix("legacy:") { legacyByMAC[known.rows[i].mac, default: []].append(i) } else { byKey[key, default: []].append(i) }
        }
        let ranges = try FreeRuns.RangeIndex(db)
        let touch = try db.cachedStatement(sql: "UPDATE assignment SET lastSeen = ?, lastRunId = ? WHERE id = ?")
        var thisRun: [String: Int64] = [:], staticNow = Set<String>()
        thisRun.reserveCapacity(audit.holders.count)
        for s in audit.holders {
            let mac = s.mac.stored
            if let earlier = thisRun[s.key], earlier == mac { continue }  // one holder reported twice
            let firstOfKey = thisRun.updateValue(mac, forKey: s.key) == nil
            if s.dynamicMAC != true { staticNow.insert(s.key) }
            let digest = s.digest
            let rows = byKey[s.key] ?? []
            if let i = rows.first(where: { known.rows[$0].mac == mac }) {
                let row = known.rows[i]
                known.rows[i].seen = true
                if row.state == .live && row.digest == digest {
                    try touch.execute(arguments: [at, runId, row.id])
                } else {
                    try update(db, row.id, s, digest: digest, at: at, runId: runId)
                    if row.state == .gone { log.add(s.key, s.label, .returned, to: s.mac); tally.returned += 1 }
                    if HostName.key(row.host) != HostName.key(s.host) { log.add(s.key, s.label, .moved, fromHost: row.host, toHost: s.host) }
                }
                tally.seen += 1
                continue
            }
            if firstOfKey {
                for i in rows where !known.rows[i].seen && known.rows[i].state == .live {
                    known.rows[i].seen = true
                    try markGone(db, known.rows[i].id, at: at, runId: runId)
                    log.add(s.key, s.label, .macChanged, from: MACAddress(stored: known.rows[i].mac), to: s.mac)
                }
            }
            if let i = legacyByMAC[mac]?.first(where: { !known.rows[$0].seen }) {
                known.rows[i].seen = true
                try db.execute(sql: "UPDATE assignment SET holderKey = ? WHERE id = ?", arguments: [s.key, known.rows[i].id])
                try update(db, known.rows[i].id, s, digest: digest, at: at, runId: runId)
                log.add(s.key, s.label, .rekeyed, to: s.mac)
                tally.rekeyed += 1
                continue
            }
            try upsert(db, s, digest: digest, at: at, runId: runId)
            tally.added += 1
            let containing = ranges.containing(mac)
            if !containing.isEmpty { try FreeRuns.markUsed(db, mac: mac, ranges: containing) }
        }
        try retireAliases(db, audit.holders, byKey: byKey, known: &known, at: at, runId: runId, log: &log)
        tally.gone = try markUnseenGone(db, known, audit.coverage, at: at, runId: runId, log: &log)
        tally.released = try release(db, before: StoredDate.text(audit.at.addingTimeInterval(-audit.releaseAfter)), runId: runId, log: &log)
        tally.fulfilled = try fulfil(db, thisRun, staticNow, runId: runId, log: &log)
        try log.write(db)
        return (log.events, tally)
    }

    /// The non-released assignments of the audited clusters, keys apart (they are the bulk).
    private func knownAssignments(_ db: Database, clusters: Set<String>) throws -> (keys: [String], rows: [KnownAssignment]) {
        var keys: [String] = [], rows: [KnownAssignment] = []
        let select = try db.cachedStatement(sql: """
            SELECT id, holderKey, mac, state, digest, kind, host, source FROM assignment WHERE cluster = ? AND state IN ('live', 'gone')
            """)
        for cluster in clusters.sorted() {
            let cursor = try Row.fetchCursor(select, arguments: [cluster])
            while let row = try cursor.next() {
                keys.append(row[1])
                rows.append(KnownAssignment(id: row[0], mac: row[2], state: try Self.state(row[3]), digest: row[4], kind: row[5], cluster: cluster,
                                            host: row[6], source: row[7]))
            }
        }
        return (keys, rows)
    }

    static func state(_ text: String) throws -> Assignment.State {
        guard let state = Assignment.State(rawValue: text) else {
            throw StoreError.failed(location: "assignment.state", operation: "reading an assignment", reason: "'\(text)' is not a state this build knows")
        }
        return state
    }

    private static let fields = """
        mac, holderKey, alias, kind, cluster, host, vm, name, adapterId, interfaceId, instanceId, interfaceMAC, allocation, dynamicMAC,
        controllerManaged, switchId, switchKey, segment, source, record, line, digest
        """

    private func arguments(_ s: HolderSighting, digest: Int64) -> StatementArguments {
        [s.mac.stored, s.key, s.alias, s.kind, s.cluster, s.host, s.vm, s.name, s.adapterId, s.interfaceId, s.instanceId,
         s.interfaceMAC?.stored, s.allocation, s.dynamicMAC, s.controllerManaged, s.switchId, s.switchKey, s.segment,
         s.source.path, s.source.record, s.source.line, digest]
    }

    /// A new (holder, MAC) row; one of another cluster or a released one comes back to life.
    private func upsert(_ db: Database, _ s: HolderSighting, digest: Int64, at: String, runId: Int64) throws {
        let insert = try db.cachedStatement(sql: """
            INSERT INTO assignment (\(Self.fields), state, firstSeen, lastSeen, firstRunId, lastRunId)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'live', ?, ?, ?, ?)
            ON CONFLICT(holderKey, mac) DO UPDATE SET alias = excluded.alias, kind = excluded.kind, cluster = excluded.cluster,
                host = excluded.host, vm = excluded.vm, name = excluded.name, adapterId = excluded.adapterId,
                interfaceId = excluded.interfaceId, instanceId = excluded.instanceId, interfaceMAC = excluded.interfaceMAC,
                allocation = excluded.allocation, dynamicMAC = excluded.dynamicMAC, controllerManaged = excluded.controllerManaged,
                switchId = excluded.switchId, switchKey = excluded.switchKey, segment = excluded.segment, source = excluded.source,
                record = excluded.record, line = excluded.line, digest = excluded.digest, state = 'live', goneAt = NULL,
                goneRunId = NULL, releasedRunId = NULL, lastSeen = excluded.lastSeen, lastRunId = excluded.lastRunId
            """)
        var args = arguments(s, digest: digest)
        args += [at, at, runId, runId]
        try insert.execute(arguments: args)
    }

    /// Every field of a known row from a sighting, live and seen now.
    private func update(_ db: Database, _ id: Int64, _ s: HolderSighting, digest: Int64, at: String, runId: Int64) throws {
        let statement = try db.cachedStatement(sql: """
            UPDATE assignment SET alias = ?, kind = ?, cluster = ?, host = ?, vm = ?, name = ?, adapterId = ?, interfaceId = ?,
                instanceId = ?, interfaceMAC = ?, allocation = ?, dynamicMAC = ?, controllerManaged = ?, switchId = ?, switchKey = ?,
                segment = ?, source = ?, record = ?, line = ?, digest = ?, state = 'live', goneAt = NULL, goneRunId = NULL,
                lastSeen = ?, lastRunId = ?
            WHERE id = ?
            """)
        var args: StatementArguments = [s.alias, s.kind, s.cluster, s.host, s.vm, s.name, s.adapterId, s.interfaceId, s.instanceId,
                                        s.interfaceMAC?.stored, s.allocation, s.dynamicMAC, s.controllerManaged, s.switchId, s.switchKey,
                                        s.segment, s.source.path, s.source.record, s.source.line, digest]
        args += [at, runId, id]
        try statement.execute(arguments: args)
    }

    private func markGone(_ db: Database, _ id: Int64, at: String, runId: Int64) throws {
        try db.cachedStatement(sql: "UPDATE assignment SET state = 'gone', goneAt = ?, goneRunId = ? WHERE id = ?").execute(arguments: [at, runId, id])
    }

    /// An NC interface recorded alone before and now joined to its adapter is one holder: its own
    /// row ends (the pair's row holds the MAC), as a `rekeyed` event.
    private func retireAliases(_ db: Database, _ holders: [HolderSighting], byKey: [String: [Int]], known: inout (keys: [String], rows: [KnownAssignment]),
                               at: String, runId: Int64, log: inout EventLog) throws {
        for s in holders {
            guard let alias = s.alias, let rows = byKey[alias] else { continue }
            for i in rows where !known.rows[i].seen {
                known.rows[i].seen = true
                try db.execute(sql: "UPDATE assignment SET state = 'released', releasedRunId = ? WHERE id = ?", arguments: [runId, known.rows[i].id])
                log.add(s.key, s.label, .rekeyed, to: s.mac)
            }
        }
    }

    /// Live rows the run covered (it read their host's adapter export, or their cluster's NC
    /// interfaces) and did not see are gone.
    private func markUnseenGone(_ db: Database, _ known: (keys: [String], rows: [KnownAssignment]), _ coverage: Coverage, at: String,
                                runId: Int64, log: inout EventLog) throws -> Int {
        var gone = 0
        struct Place: Hashable { var kind: String; var cluster: String; var host: String; var source: String }
        var covered: [Place: Bool] = [:]
        for (i, row) in known.rows.enumerated() where !row.seen && row.state == .live {
            let place = Place(kind: row.kind, cluster: row.cluster, host: row.host, source: row.source)
            let isCovered = covered[place] ?? coverage.covers(kind: row.kind, cluster: row.cluster, host: row.host, source: row.source)
            covered[place] = isCovered
            guard isCovered else { continue }
            try markGone(db, row.id, at: at, runId: runId)
            log.add(known.keys[i], try label(db, row.id), .gone, from: MACAddress(stored: row.mac))
            gone += 1
        }
        return gone
    }

    /// Gone rows whose grace period ended: released, their MACs free unless something else holds them.
    private func release(_ db: Database, before cutoff: String, runId: Int64, log: inout EventLog) throws -> Int {
        let due = try Row.fetchAll(db, sql: "SELECT id, holderKey, mac FROM assignment WHERE state = 'gone' AND goneAt <= ?", arguments: [cutoff])
        for row in due {
            let id: Int64 = row[0], mac: Int64 = row[2]
            try db.execute(sql: "UPDATE assignment SET state = 'released', releasedRunId = ? WHERE id = ?", arguments: [runId, id])
            if try !FreeRuns.isUsed(db, mac: mac) { try FreeRuns.markFree(db, mac: mac, ranges: try FreeRuns.rangesContaining(db, mac: mac)) }
            log.add(row[1], try label(db, id), .released, from: MACAddress(stored: mac))
        }
        return due.count
    }

    /// Pending reservations whose holder this run saw with the reserved MAC are fulfilled: it did
    /// not have the MAC when reserved, or it now holds it statically (a dynamic MAC made static; a
    /// reservation of an older macaudit does not say what the holder had).
    private func fulfil(_ db: Database, _ thisRun: [String: Int64], _ staticNow: Set<String>, runId: Int64, log: inout EventLog) throws -> Int {
        var fulfilled = 0
        for r in try ReservationRecord.filter(Column("state") == Reservation.State.pending).fetchAll(db)
        where thisRun[r.holderKey] == r.mac && ((r.fromMAC != nil && r.fromMAC != r.mac) || staticNow.contains(r.holderKey)) {
            try db.execute(sql: "UPDATE reservation SET state = 'fulfilled', fulfilledRunId = ? WHERE id = ?", arguments: [runId, r.id])
            log.add(r.holderKey, r.label ?? r.holderKey, .fulfilled, to: MACAddress(stored: r.mac))
            fulfilled += 1
        }
        return fulfilled
    }

    private func label(_ db: Database, _ id: Int64) throws -> String {
        guard let row = try Row.fetchOne(db, sql: "SELECT kind, cluster, host, vm, name FROM assignment WHERE id = ?", arguments: [id]) else { return "?" }
        let host: String = row[2]
        return Subject(kind: row[0], cluster: row[1], host: host.isEmpty ? nil : host, vm: row[3], name: row[4]).label
    }

    /// The events of one run, written to `holderEvent` as they happen.
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
    /// See ``HolderRegistry/recordedHolders(_:)``. Uncovered places of the audited clusters are
    /// found from the (cluster, state, host, kind) index without reading rows; holders of other
    /// clusters are matched on MAC from whichever side is smaller: their MACs against the run's
    /// (sorted, binary search), or the run's MACs joined through a temporary table.
    public func recordedHolders(_ query: RecordedHolderQuery) throws -> [RecordedHolder] {
        try reading("reading the database's holders") { db in
            let since = StoredDate.text(query.since)
            var ids: [Int64] = []
            let places = try db.cachedStatement(sql: "SELECT DISTINCT host, kind, source FROM assignment WHERE cluster = ? AND state = 'live'")
            let atPlace = try db.cachedStatement(sql: """
                SELECT id FROM assignment WHERE cluster = ? AND state = 'live' AND host = ? AND kind = ? AND source = ? AND lastSeen >= ?
                """)
            for cluster in query.coverage.clusters.sorted() {
                for row in try Row.fetchAll(places, arguments: [cluster]) {
                    let host: String = row[0], kind: String = row[1], source: String = row[2]
                    guard !query.coverage.covers(kind: kind, cluster: cluster, host: host, source: source) else { continue }
                    ids += try Int64.fetchAll(atPlace, arguments: [cluster, host, kind, source, since])
                }
            }
            ids += try otherClusters(db, query, since: since)
            return try ids.sorted().map { try recordedHolder(db, id: $0) }
                .sorted { ($0.sighting.cluster, $0.sighting.host, $0.sighting.key) < ($1.sighting.cluster, $1.sighting.host, $1.sighting.key) }
        }
    }

    /// Ids of live rows of clusters not audited that hold one of the run's MACs.
    private func otherClusters(_ db: Database, _ query: RecordedHolderQuery, since: String) throws -> [Int64] {
        guard !query.macs.isEmpty else { return [] }
        let audited = query.coverage.clusters.sorted()
        let marks = audited.map { _ in "?" }.joined(separator: ", ")
        let notAudited = audited.isEmpty ? "1" : "cluster NOT IN (\(marks))"
        let live = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM assignment WHERE state = 'live'") ?? 0
        var auditedLive = 0
        for c in audited { auditedLive += try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM assignment WHERE cluster = ? AND state = 'live'", arguments: [c]) ?? 0 }
        let others = live - auditedLive
        guard others > 0 else { return [] }
        var args = StatementArguments(audited)
        args += [since]
        if others < query.macs.count / 4 {
            var ids: [Int64] = []
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT id, mac FROM assignment WHERE \(notAudited) AND state = 'live' AND kind <> 'imported' AND lastSeen >= ?
                """, arguments: args)
            while let row = try cursor.next() {
                let mac = UInt64(row[1] as Int64)
                if Self.sortedContains(query.macs, mac) { ids.append(row[0]) }
            }
            return ids
        }
        try db.execute(sql: "CREATE TEMP TABLE IF NOT EXISTS runMAC (mac INTEGER PRIMARY KEY)")
        defer { try? db.execute(sql: "DROP TABLE IF EXISTS temp.runMAC") }
        let insert = try db.makeStatement(sql: "INSERT OR IGNORE INTO runMAC (mac) VALUES (?)")
        for mac in query.macs { try insert.execute(arguments: [Int64(mac)]) }
        return try Int64.fetchAll(db, sql: """
            SELECT a.id FROM runMAC r JOIN assignment a ON a.mac = r.mac AND a.state <> 'released'
            WHERE a.state = 'live' AND a.kind <> 'imported' AND a.\(notAudited) AND a.lastSeen >= ?
            """, arguments: args)
    }

    static func sortedContains(_ sorted: [UInt64], _ value: UInt64) -> Bool {
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sorted[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        return lo < sorted.count && sorted[lo] == value
    }

    private func recordedHolder(_ db: Database, id: Int64) throws -> RecordedHolder {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM assignment WHERE id = ?"), arguments: [id]) else {
            throw StoreError.failed(location: path, operation: "reading the database's holders", reason: "assignment \(id) vanished")
        }
        let assignment = try Self.assignment(row)
        return RecordedHolder(sighting: assignment.sighting, lastRunId: assignment.lastRunId ?? 0, lastSeen: assignment.lastSeen)
    }

    static func assignment(_ row: Row) throws -> Assignment {
        let sighting = HolderSighting(
            key: row["holderKey"], alias: row["alias"], mac: MACAddress(stored: row["mac"]), kind: row["kind"], cluster: row["cluster"],
            host: row["host"], vm: row["vm"], name: row["name"], adapterId: row["adapterId"], interfaceId: row["interfaceId"],
            instanceId: row["instanceId"], interfaceMAC: (row["interfaceMAC"] as Int64?).map(MACAddress.init(stored:)),
            allocation: row["allocation"], dynamicMAC: row["dynamicMAC"], controllerManaged: row["controllerManaged"],
            switchId: row["switchId"], switchKey: row["switchKey"], segment: row["segment"],
            source: SourceLocation(path: row["source"], record: row["record"], line: row["line"]))
        return Assignment(sighting: sighting, state: try state(row["state"]),
                          firstSeen: try StoredDate.parse(row["firstSeen"], "assignment.firstSeen"),
                          lastSeen: try StoredDate.parse(row["lastSeen"], "assignment.lastSeen"),
                          firstRunId: row["firstRunId"], lastRunId: row["lastRunId"],
                          goneAt: try (row["goneAt"] as String?).map { try StoredDate.parse($0, "assignment.goneAt") })
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
            let pattern = "%\(text.replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_"))%"
            return try Row.fetchAll(db, sql: """
                SELECT * FROM assignment WHERE holderKey LIKE ?1 ESCAPE '\\' OR vm LIKE ?1 ESCAPE '\\' OR name LIKE ?1 ESCAPE '\\'
                ORDER BY lastSeen DESC, id DESC LIMIT 1000
                """, arguments: [pattern]).map(Self.assignment)
        }
    }
}
