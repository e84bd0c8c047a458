import Foundation
import MACAudit
import NIOCore
import PostgresNIO

/// The holder side of recording an audit (see `SQLiteStore.recordHolders` for the semantics both
/// stores share, pinned by the conformance suite), done as sets: the audited clusters' known
/// assignments are read once as integers, compared in memory with the run's holders, and the
/// changes go back as a few statements over bound arrays (thousands of rows per round trip).
extension PostgresStore {
    /// A place as the database files holders under it: one export as audits read it.
    struct Place: Hashable {
        var cluster: String, host: String, kind: String, source: String
        var packed: PackedSighting.Place { PackedSighting.Place(kind: kind, cluster: cluster, host: host, source: source) }
    }

    /// A live or gone assignment of an audited cluster, in integers.
    struct Known {
        var id: Int64, mac: Int64, keyHash: Int64, live: Bool, digest: Int64, placeId: Int64, lastRunId: Int64?
        var seen = false
    }

    /// Rows to write, gathered during the comparison and written as arrays.
    struct Changes {
        var insert: [(n: Int, placeId: Int64)] = []
        var update: [(id: Int64, n: Int, placeId: Int64)] = []
        var gone: [(id: Int64, lastSeen: Int64)] = []
        var released: [Int64] = []
    }

    /// How many rows one statement carries.
    static let batch = 8_192

    func recordHolders(_ audit: AuditRecord, runId: Int64, lap: Lap) throws -> (events: [HolderEvent], tally: HolderTally) {
        var events: [HolderEvent] = []
        func event(_ key: String, _ label: String, _ kind: HolderEvent.Kind, from: MACAddress? = nil, to: MACAddress? = nil,
                   fromHost: String? = nil, toHost: String? = nil) {
            events.append(HolderEvent(runId: runId, at: audit.at, holder: key, label: label, kind: kind, from: from, to: to, fromHost: fromHost, toHost: toHost))
        }
        var tally = HolderTally()
        let clusters = audit.clusters.sorted()
        var places = try placeIds(clusters: clusters)
        let existing = Set(places.byId.keys)  // only these can have rows: the others are new in this run
        let holders = audit.holders
        let placeOf = try places.ids(of: holders, self)
        // A re-audit compares places first (see PlaceDigests); a first audit streams as holders pack.
        var digests = PlaceDigests()
        if !places.holdersDigest.isEmpty {
            digests.compare(holders, stored: places.holdersDigest, covered: { id in
                places.byId[id].map { audit.coverage.covers(kind: $0.kind, cluster: $0.cluster, host: $0.host, source: $0.source) } ?? false
            }) { placeOf[$0] }
        }
        lap("places (\(digests.unchanged.count) unchanged)")
        var known = try knownAssignments(places: existing.subtracting(digests.unchanged).sorted())
        var byKeyMAC: [KeyMAC: Int] = [:], byKey: [Int64: [Int]] = [:]
        byKeyMAC.reserveCapacity(known.count)
        for (i, k) in known.enumerated() { byKeyMAC[KeyMAC(k.keyHash, k.mac)] = i; byKey[k.keyHash, default: []].append(i) }
        // Rows outside the audited clusters' live and gone ones (other clusters', released ones):
        // only then can a new holder be one the database already knows. Two index probes.
        let elsewhere = try scalar(Bool.self, """
            SELECT EXISTS (SELECT 1 FROM place p WHERE p.cluster <> ALL(\(clusters)::text[]) AND EXISTS (SELECT 1 FROM assignment a WHERE a.placeId = p.id))
                OR EXISTS (SELECT 1 FROM assignment a JOIN place p ON p.id = a.placeId WHERE p.cluster = ANY(\(clusters)::text[]) AND a.state = 'released')
            """) ?? true
        let reserved = Set(try rows("SELECT holderKey FROM reservation WHERE state = 'pending'").map { HolderSighting.keyHash(try $0.decode(String.self)) })
        lap("known holders")

        var changes = Changes()
        var thisRun = RunMACs(capacity: holders.count), staticNow = Set<Int64>()
        var maybeElsewhere: [(n: Int, placeId: Int64)] = []
        var macRange: [Int64: (Int64, Int64)] = [:]
        for c in 0..<holders.chunkCount {
            let chunk = holders.chunk(c)
            let sightings = thisRun.note(chunk.summaries)
            for (j, sum) in chunk.summaries.enumerated() {
                let n = chunk.base + j, mac = sum.mac, keyHash = sum.keyHash
                let placeId = placeOf[n]
                if digests.placeOf == nil { digests.add(sum, at: placeId) }  // a first audit's digests, as it streams
                let r = macRange[placeId] ?? (mac, mac)
                macRange[placeId] = (min(r.0, mac), max(r.1, mac))
                let sighting = sightings[j]
                if sighting == .repeated { continue }  // one holder reported twice
                let firstOfKey = sighting == .first
                if !reserved.isEmpty, sum.dynamicMAC != true, reserved.contains(keyHash) { staticNow.insert(keyHash) }
                // A place whose holders are its last reading's: this one's row is there, as it is.
                if digests.unchanged.contains(placeId) { tally.seen += 1; continue }
                if let i = byKeyMAC[KeyMAC(keyHash, mac)], !known[i].seen {
                    let row = known[i]
                    known[i].seen = true
                    tally.seen += 1
                    guard !row.live || row.digest != sum.digest || row.placeId != placeId else { continue }
                    digests.touched.insert(row.placeId)
                    changes.update.append((row.id, n, placeId))
                    let s = holders.sighting(n)
                    if !row.live { event(s.key, s.label, .returned, to: s.mac); tally.returned += 1 }
                    if let old = places.byId[row.placeId], HostName.key(old.host) != HostName.key(s.host) {
                        event(s.key, s.label, .moved, fromHost: old.host, toHost: s.host)
                    }
                    continue
                }
                if firstOfKey, let rows = byKey[keyHash] {
                    let s = holders.sighting(n)
                    for i in rows where !known[i].seen && known[i].live {
                        known[i].seen = true
                        digests.touched.insert(known[i].placeId)
                        changes.gone.append((known[i].id, max(known[i].lastRunId ?? 0, places.lastRun[known[i].placeId] ?? 0)))
                        event(s.key, s.label, .macChanged, from: MACAddress(stored: known[i].mac), to: s.mac)
                    }
                }
                if elsewhere { maybeElsewhere.append((n, placeId)) } else { changes.insert.append((n, placeId)); tally.added += 1 }
            }
        }
        lap("compared")
        // The same holder and MAC recorded outside the audited places (a VM moved between clusters,
        // an export read under another name, a released holder seen again): that row moves here; a
        // gone or released one comes back to life.
        if !maybeElsewhere.isEmpty {
            let found = try rowsElsewhere(maybeElsewhere.map(\.n), holders, exceptIds: Set(known.map(\.id)))
            for (n, placeId) in maybeElsewhere {
                guard let other = found[n] else { changes.insert.append((n, placeId)); tally.added += 1; continue }
                digests.touched.insert(other.placeId)
                changes.update.append((other.id, n, placeId))
                if other.state != .live {
                    let s = holders.sighting(n)
                    event(s.key, s.label, .returned, to: s.mac)
                    tally.returned += 1
                } else {
                    tally.seen += 1
                }
            }
        }
        lap("looked up elsewhere")
        try retireAliases(holders, &known, &changes, &digests.touched, event)
        // Live rows of places the run covered that it did not see are gone.
        var covered: [Int64: Bool] = [:]
        for (id, p) in places.byId { covered[id] = audit.coverage.covers(kind: p.kind, cluster: p.cluster, host: p.host, source: p.source) }
        let unseen = known.filter { !$0.seen && $0.live && covered[$0.placeId] == true }.sorted { $0.id < $1.id }
        let described = try describe(unseen.map(\.id))
        for row in unseen {
            changes.gone.append((row.id, max(row.lastRunId ?? 0, places.lastRun[row.placeId] ?? 0)))
            let (key, label) = described[row.id] ?? ("?", "?")
            event(key, label, .gone, from: MACAddress(stored: row.mac))
        }
        tally.gone = unseen.count
        lap("gone")
        try write(changes, holders, runId: runId, bulk: !elsewhere && known.isEmpty && changes.insert.count >= Self.bulkLoad, lap: lap)
        // A covered place's live holders are now exactly those this run saw there.
        // A covered place's digest is its holders' now; one this run changed without reading it is forgotten.
        var placeIds: [Int64] = [], lows: [Int64] = [], highs: [Int64] = [], placeDigests: [Int64] = []
        for (place, id) in places.ids where audit.coverage.covers(kind: place.kind, cluster: place.cluster, host: place.host, source: place.source) {
            let r = macRange[id] ?? (1, 0)
            placeIds.append(id); lows.append(r.0); highs.append(r.1); placeDigests.append(digests.digest(of: id))
        }
        try run("""
            UPDATE place p SET lastRunId = \(runId), minMAC = u.low, maxMAC = u.high, holdersDigest = u.digest
            FROM unnest(\(placeIds)::bigint[], \(lows)::bigint[], \(highs)::bigint[], \(placeDigests)::bigint[]) AS u(id, low, high, digest)
            WHERE p.id = u.id
            """)
        let forgotten = digests.touched.subtracting(placeIds).sorted()
        if !forgotten.isEmpty { try run("UPDATE place SET holdersDigest = NULL WHERE id = ANY(\(forgotten)::bigint[])") }
        lap("written")
        tally.released = try release(before: audit.at.addingTimeInterval(-audit.releaseAfter), runId: runId, event)
        tally.fulfilled = try fulfil(thisRun, staticNow, runId: runId, event)
        try writeEvents(events)
        lap("released, fulfilled, events")
        return (events, tally)
    }

    struct KeyMAC: Hashable {
        let keyHash: Int64, mac: Int64
        init(_ keyHash: Int64, _ mac: Int64) { self.keyHash = keyHash; self.mac = mac }
    }

    /// The places of some clusters: ids both ways and the last run that read each; new ones added.
    struct Places {
        var ids: [Place: Int64] = [:]
        var byId: [Int64: Place] = [:]
        var lastRun: [Int64: Int64] = [:]
        var holdersDigest: [Int64: Int64] = [:]

        /// Each holder's place id, the places the database does not have yet added in one
        /// statement (a new site brings hundreds: a round trip each took longer than the rest of its
        /// recording). Holders come in stretches of one place: a place is looked at once a stretch.
        mutating func ids(of holders: HolderSightings, _ store: PostgresStore) throws -> [Int64] {
            var stretches: [(start: Int, place: Place)] = [], new: [Place] = [], seen = Set<Place>()
            for n in 0..<holders.count {
                let origin = holders.place(n)
                let place = Place(cluster: origin.cluster, host: origin.host, kind: origin.kind, source: origin.source)
                guard place != stretches.last?.place else { continue }
                stretches.append((n, place))
                if ids[place] == nil, seen.insert(place).inserted { new.append(place) }
            }
            if !new.isEmpty {
                for row in try store.rows("""
                    INSERT INTO place (cluster, host, kind, source)
                    SELECT * FROM unnest(\(new.map(\.cluster))::text[], \(new.map(\.host))::text[], \(new.map(\.kind))::text[], \(new.map(\.source))::text[])
                    ON CONFLICT (cluster, host, kind, source) DO UPDATE SET cluster = excluded.cluster
                    RETURNING id, cluster, host, kind, source
                    """) {
                    let (id, cluster, host, kind, source) = try row.decode((Int64, String, String, String, String).self)
                    let place = Place(cluster: cluster, host: host, kind: kind, source: source)
                    ids[place] = id
                    byId[id] = place
                }
            }
            var out = [Int64](repeating: 0, count: holders.count)
            for (i, stretch) in stretches.enumerated() {
                guard let id = ids[stretch.place] else {
                    throw StoreError.failed(location: store.location, operation: "recording the audit's holders", reason: "no id for place \(stretch.place)")
                }
                let end = i + 1 < stretches.count ? stretches[i + 1].start : holders.count
                for n in stretch.start..<end { out[n] = id }
            }
            return out
        }
    }

    func placeIds(clusters: [String]) throws -> Places {
        var places = Places()
        for row in try rows("SELECT id, cluster, host, kind, source, lastRunId, holdersDigest FROM place WHERE cluster = ANY(\(clusters)::text[])") {
            let (id, cluster, host, kind, source, last, digest) = try row.decode((Int64, String, String, String, String, Int64?, Int64?).self)
            let place = Place(cluster: cluster, host: host, kind: kind, source: source)
            places.ids[place] = id
            places.byId[id] = place
            if let last { places.lastRun[id] = last }
            if let digest { places.holdersDigest[id] = digest }
        }
        return places
    }

    /// The live and gone rows of `places`, by id: one index probe per place (the planner, guessing
    /// a new site's places hold as many rows as the others, would scan the whole table).
    private func knownAssignments(places: [Int64]) throws -> [Known] {
        guard !places.isEmpty else { return [] }
        // Sorted here: asked to sort, the planner may walk the whole primary key instead.
        return try rows("""
            SELECT a.id, a.mac, a.keyHash, a.state = 'live', a.digest, a.placeId, a.lastRunId FROM unnest(\(places)::bigint[]) AS p(id)
            CROSS JOIN LATERAL (SELECT * FROM assignment x WHERE x.placeId = p.id AND x.state IN ('live', 'gone')) a
            """).map { row in
            let (id, mac, keyHash, live, digest, placeId, last) = try row.decode((Int64, Int64, Int64, Bool, Int64, Int64, Int64?).self)
            return Known(id: id, mac: mac, keyHash: keyHash, live: live, digest: digest, placeId: placeId, lastRunId: last)
        }.sorted { $0.id < $1.id }
    }

    /// For holders `ns`: their row (same key and MAC) outside `exceptIds`, if any. Their MACs are
    /// asked for as stretches of consecutive values, one index probe per stretch: a site's MACs
    /// come from pools, mostly in order, and a new site's 100,000 are a few hundred probes that
    /// find nothing. Every row of those MACs comes back; the key picks the holder's.
    private func rowsElsewhere(_ ns: [Int], _ holders: HolderSightings, exceptIds: Set<Int64>) throws
        -> [Int: (id: Int64, state: Assignment.State, placeId: Int64)] {
        let stretches = Self.stretches(ns.map { holders.summary($0).mac })
        var found: [(id: Int64, state: String, mac: Int64, keyHash: Int64, holder: ByteBuffer, placeId: Int64)] = []
        for start in stride(from: 0, to: stretches.count, by: Self.batch) {
            let part = stretches[start..<min(stretches.count, start + Self.batch)]
            // Sorted here, not by the server: asked to sort, the planner walks the primary key and
            // tests every row against every stretch (seconds) when it guesses they hold millions.
            found += try rows("""
                SELECT a.id, a.state, a.mac, a.keyHash, a.holder, a.placeId FROM unnest(\(part.map(\.low))::bigint[], \(part.map(\.high))::bigint[]) AS w(low, high)
                CROSS JOIN LATERAL (SELECT * FROM assignment x WHERE x.mac BETWEEN w.low AND w.high) a
                """).map { try $0.decode((Int64, String, Int64, Int64, ByteBuffer, Int64).self) }
        }
        found.removeAll { exceptIds.contains($0.id) }
        guard !found.isEmpty else { return [:] }
        found.sort { $0.id < $1.id }
        let macs = Set(found.map(\.mac))
        var wanted: [KeyMAC: [Int]] = [:]
        for n in ns { let s = holders.summary(n); if macs.contains(s.mac) { wanted[KeyMAC(s.keyHash, s.mac), default: []].append(n) } }
        var out: [Int: (id: Int64, state: Assignment.State, placeId: Int64)] = [:]
        for row in found {
            guard let ns = wanted[KeyMAC(row.keyHash, row.mac)] else { continue }
            let key = try packedKey(row.holder)
            for n in ns where out[n] == nil && holders.sighting(n).key == key {
                out[n] = (row.id, try state(row.state), row.placeId)
            }
        }
        return out
    }

    /// `macs` as runs of consecutive values, lowest first.
    static func stretches(_ macs: [Int64]) -> [(low: Int64, high: Int64)] {
        var out: [(low: Int64, high: Int64)] = []
        for mac in macs.sorted() {
            if let last = out.last, mac <= last.high + 1 { out[out.count - 1].high = max(last.high, mac) } else { out.append((mac, mac)) }
        }
        return out
    }

    /// An NC interface recorded alone before and now joined to its adapter is one holder: its own
    /// row ends (the pair's row holds the MAC), as a `rekeyed` event.
    private func retireAliases(_ holders: HolderSightings, _ known: inout [Known], _ changes: inout Changes, _ touched: inout Set<Int64>,
                               _ event: (String, String, HolderEvent.Kind, MACAddress?, MACAddress?, String?, String?) -> Void) throws {
        var unseen: [Int64: [Int]] = [:]
        for i in known.indices where !known[i].seen { unseen[known[i].keyHash, default: []].append(i) }
        guard !unseen.isEmpty else { return }
        for c in 0..<holders.chunkCount {
            let chunk = holders.chunk(c)
            for (j, sum) in chunk.summaries.enumerated() where sum.aliasHash != 0 {
                guard let rows = unseen[sum.aliasHash]?.filter({ !known[$0].seen }), !rows.isEmpty else { continue }
                let s = holders.sighting(chunk.base + j)
                let keys = try describe(rows.map { known[$0].id })
                for i in rows where keys[known[i].id]?.key == s.alias {
                    known[i].seen = true
                    touched.insert(known[i].placeId)
                    changes.released.append(known[i].id)
                    event(s.key, s.label, .rekeyed, nil, s.mac, nil, nil)
                }
            }
        }
    }

    /// New rows from which on a first load into an empty table builds its indexes after the rows
    /// (one sort per index) instead of inserting into them row by row.
    static let bulkLoad = 50_000

    /// The indexes a bulk load drops and builds again, inside its transaction: until it commits,
    /// the table is locked for other sessions' reads as well (on an empty database: nothing to read).
    static let bulkIndexes = [
        ("assignmentMAC", "CREATE INDEX assignmentMAC ON assignment(mac)"),
        ("assignmentPlace", "CREATE INDEX assignmentPlace ON assignment(placeId, state)"),
    ]

    /// New rows by COPY; updates, gone and retired rows a batch per statement.
    private func write(_ changes: Changes, _ holders: HolderSightings, runId: Int64, bulk: Bool, lap: Lap) throws {
        if !changes.insert.isEmpty {
            if bulk { for (name, _) in Self.bulkIndexes { try run(PostgresQuery(unsafeSQL: "DROP INDEX \(name)")) } }
            let inserts = changes.insert, parts = (inserts.count + Self.batch - 1) / Self.batch
            try session.copy(into: "assignment", columns: CopyRows.columns, parts: parts) { i in
                CopyRows.text(inserts[i * Self.batch..<min(inserts.count, (i + 1) * Self.batch)], holders, runId: runId)
            }
            lap("copied")
            if bulk {
                for (_, create) in Self.bulkIndexes { try run(PostgresQuery(unsafeSQL: create)) }
                // The table went from empty to full: without statistics the next audit's planner
                // takes its index lookups for scans (autovacuum gets there later, not before).
                try run("ANALYZE assignment")
            }
            lap("indexes")
        }
        for start in stride(from: 0, to: changes.update.count, by: Self.batch) {
            let part = changes.update[start..<min(changes.update.count, start + Self.batch)]
            let (macs, keys, digests, blobs) = columns(part.map(\.n), holders)
            try run("""
                UPDATE assignment a SET mac = u.m, keyHash = u.k, placeId = u.p, digest = u.d, holder = u.h, state = 'live', goneRunId = NULL,
                    releasedRunId = NULL, lastRunId = \(runId)
                FROM unnest(\(part.map(\.id))::bigint[], \(macs)::bigint[], \(keys)::bigint[], \(part.map(\.placeId))::bigint[], \(digests)::bigint[],
                            \(blobs)::bytea[]) AS u(id, m, k, p, d, h)
                WHERE a.id = u.id
                """)
        }
        for start in stride(from: 0, to: changes.gone.count, by: Self.batch) {
            let part = changes.gone[start..<min(changes.gone.count, start + Self.batch)]
            try run("""
                UPDATE assignment a SET state = 'gone', goneRunId = \(runId), lastRunId = NULLIF(u.last, 0)
                FROM unnest(\(part.map(\.id))::bigint[], \(part.map(\.lastSeen))::bigint[]) AS u(id, last) WHERE a.id = u.id
                """)
        }
        if !changes.released.isEmpty {
            try lowerMarks(try rows("""
                UPDATE assignment SET state = 'released', releasedRunId = \(runId) WHERE id = ANY(\(changes.released)::bigint[]) RETURNING mac
                """).map { try $0.decode(Int64.self) })
        }
    }

    /// The MAC, key hash, digest and packed bytes of holders `ns`, as arrays to bind.
    private func columns(_ ns: [Int], _ holders: HolderSightings) -> ([Int64], [Int64], [Int64], [ByteBuffer]) {
        var macs: [Int64] = [], keys: [Int64] = [], digests: [Int64] = [], blobs: [ByteBuffer] = []
        macs.reserveCapacity(ns.count); keys.reserveCapacity(ns.count); digests.reserveCapacity(ns.count); blobs.reserveCapacity(ns.count)
        for n in ns {
            let s = holders.summary(n)
            macs.append(s.mac); keys.append(s.keyHash); digests.append(s.digest)
            blobs.append(holders.withPacked(n) { ByteBuffer(bytes: $0) })
        }
        return (macs, keys, digests, blobs)
    }

    /// Gone rows whose grace period ended are released (their MACs are free again).
    private func release(before cutoff: Date, runId: Int64,
                         _ event: (String, String, HolderEvent.Kind, MACAddress?, MACAddress?, String?, String?) -> Void) throws -> Int {
        let due = try rows("""
            UPDATE assignment a SET state = 'released', releasedRunId = \(runId) FROM run r
            WHERE r.id = a.goneRunId AND a.state = 'gone' AND r.startedAt <= \(cutoff) RETURNING a.id, a.mac
            """).map { try $0.decode((Int64, Int64).self) }.sorted { $0.0 < $1.0 }
        try lowerMarks(due.map(\.1))
        let described = try describe(due.map(\.0))
        for (id, mac) in due {
            let (key, label) = described[id] ?? ("?", "?")
            event(key, label, .released, MACAddress(stored: mac), nil, nil, nil)
        }
        return due.count
    }

    /// Pending reservations whose holder this run saw with the reserved MAC are fulfilled (see the SQLite store).
    private func fulfil(_ thisRun: RunMACs, _ staticNow: Set<Int64>, runId: Int64,
                        _ event: (String, String, HolderEvent.Kind, MACAddress?, MACAddress?, String?, String?) -> Void) throws -> Int {
        var ids: [Int64] = []
        for row in try rows("SELECT id, holderKey, label, mac, fromMAC FROM reservation WHERE state = 'pending' ORDER BY id") {
            let (id, holder, label, mac, from) = try row.decode((Int64, String, String?, Int64, Int64?).self)
            let key = HolderSighting.keyHash(holder)
            guard thisRun.mac(of: key) == mac, (from != nil && from != mac) || staticNow.contains(key) else { continue }
            ids.append(id)
            event(holder, label ?? holder, .fulfilled, nil, MACAddress(stored: mac), nil, nil)
        }
        if !ids.isEmpty {
            try run("UPDATE reservation SET state = 'fulfilled', fulfilledRunId = \(runId) WHERE id = ANY(\(ids)::bigint[])")
        }
        return ids.count
    }

    private func writeEvents(_ events: [HolderEvent]) throws {
        for start in stride(from: 0, to: events.count, by: Self.batch) {
            let part = Array(events[start..<min(events.count, start + Self.batch)])
            let runIds = part.map(\.runId), ats = part.map(\.at), keys = part.map(\.holder), labels = part.map(\.label), kinds = part.map(\.kind.rawValue)
            let froms = part.map { $0.from?.stored ?? -1 }, tos = part.map { $0.to?.stored ?? -1 }
            let fromHosts = part.map { $0.fromHost ?? "" }, toHosts = part.map { $0.toHost ?? "" }
            let hasHosts = part.map { $0.fromHost != nil || $0.toHost != nil }
            try run("""
                INSERT INTO holderEvent (runId, at, holderKey, label, kind, fromMAC, toMAC, fromHost, toHost)
                SELECT r, t, k, l, kd, NULLIF(f, -1), NULLIF(o, -1), CASE WHEN hh THEN fh END, CASE WHEN hh THEN th END
                FROM unnest(\(runIds)::bigint[], \(ats)::timestamptz[], \(keys)::text[], \(labels)::text[], \(kinds)::text[], \(froms)::bigint[],
                            \(tos)::bigint[], \(fromHosts)::text[], \(toHosts)::text[], \(hasHosts)::boolean[])
                     WITH ORDINALITY AS u(r, t, k, l, kd, f, o, fh, th, hh, ord)
                ORDER BY ord
                """)
        }
    }

    /// Key and label of rows, for events.
    private func describe(_ ids: [Int64]) throws -> [Int64: (key: String, label: String)] {
        guard !ids.isEmpty else { return [:] }
        var out: [Int64: (key: String, label: String)] = [:]
        for a in try assignmentRows(where: "a.id = ANY($1::bigint[])", binds: ids) {
            out[a.id] = (a.assignment.sighting.key, a.assignment.sighting.label)
        }
        return out
    }

    // MARK: - Decoding

    func packedKey(_ bytes: ByteBuffer) throws -> String {
        do {
            return try bytes.withUnsafeReadableBytes { b in try PackedSighting.key(b) }
        } catch let e as PackedSighting.DecodeError {
            throw StoreError.failed(location: location, operation: "reading a holder", reason: e.reason)
        }
    }

    func state(_ text: String) throws -> Assignment.State {
        guard let state = Assignment.State(rawValue: text) else {
            throw StoreError.failed(location: location, operation: "reading an assignment", reason: "'\(text)' is not a state this build knows")
        }
        return state
    }

    static let assignmentSelect = """
        SELECT a.id, a.mac, a.state, a.holder, a.firstRunId, a.lastRunId, a.goneRunId, p.cluster, p.host, p.kind, p.source, p.lastRunId
        FROM assignment a JOIN place p ON p.id = a.placeId
        """

    /// Assignments (joined with their places) matching a condition; dates from `runDates`.
    func assignmentRows(where condition: String, binds: [Int64]? = nil, runDates: [Int64: Date] = [:]) throws -> [(id: Int64, assignment: Assignment)] {
        var bindings = PostgresBindings()
        if let binds { bindings.append(binds) }
        return try rows(PostgresQuery(unsafeSQL: "\(Self.assignmentSelect) WHERE \(condition)", binds: bindings)).map { row in
            let (id, mac, stateText, bytes, firstRun, lastRun, goneRun, cluster, host, kind, source, placeRun) =
                try row.decode((Int64, Int64, String, ByteBuffer, Int64?, Int64?, Int64?, String, String, String, String, Int64?).self)
            let place = PackedSighting.Place(kind: kind, cluster: cluster, host: host, source: source)
            let sighting: HolderSighting
            do {
                sighting = try bytes.withUnsafeReadableBytes { b in try PackedSighting.decode(b, mac: MACAddress(stored: mac), place: place) }
            } catch let e as PackedSighting.DecodeError {
                throw StoreError.failed(location: "\(location): assignment \(id)", operation: "reading a holder", reason: e.reason)
            }
            let state = try state(stateText)
            // A live holder was seen by its place's last run; a gone or released one last by its own.
            let seenRun = state == .live ? max(lastRun ?? 0, placeRun ?? 0) : (lastRun ?? 0)
            return (id, Assignment(sighting: sighting, state: state, firstSeen: firstRun.flatMap { runDates[$0] } ?? .distantPast,
                                   lastSeen: runDates[seenRun] ?? .distantPast, firstRunId: firstRun, lastRunId: seenRun == 0 ? nil : seenRun,
                                   goneAt: goneRun.flatMap { runDates[$0] }))
        }
    }
}

// MARK: - Reading holders back

extension PostgresStore {
    /// See ``HolderRegistry/recordedHolders(_:)``: the live holders of the audited clusters' places
    /// the run did not cover, and the live holders of other clusters that hold one of the run's
    /// MACs (places whose MAC range misses every one of them are not read).
    public func recordedHolders(_ query: RecordedHolderQuery) throws -> [RecordedHolder] {
        try reading("reading the database's holders") {
            let runDates = try runDates()
            let places = try placeIds(clusters: query.coverage.clusters.sorted())
            var ids: [Int64] = []
            let uncovered = places.byId.filter { $0.value.kind != "imported" && !query.coverage.covers(kind: $0.value.kind, cluster: $0.value.cluster,
                                                                                                        host: $0.value.host, source: $0.value.source) }
            if !uncovered.isEmpty {
                for row in try rows("""
                    SELECT id, placeId, lastRunId FROM assignment WHERE placeId = ANY(\(Array(uncovered.keys))::bigint[]) AND state = 'live'
                    """) {
                    let (id, placeId, last) = try row.decode((Int64, Int64, Int64?).self)
                    let lastSeen = max(last ?? 0, places.lastRun[placeId] ?? 0)
                    if let date = runDates[lastSeen], date >= query.since { ids.append(id) }
                }
            }
            ids += try otherClusters(query, runDates)
            return try assignmentRows(where: "a.id = ANY($1::bigint[])", binds: ids, runDates: runDates)
                .map { RecordedHolder(sighting: $0.assignment.sighting, lastRunId: $0.assignment.lastSeenRunId, lastSeen: $0.assignment.lastSeen) }
                .sorted { ($0.sighting.cluster, $0.sighting.host, $0.sighting.key) < ($1.sighting.cluster, $1.sighting.host, $1.sighting.key) }
        }
    }

    /// Ids of live rows of clusters not audited that hold one of the run's MACs, read as
    /// ``OtherClusterLookup`` finds cheaper: the rows of the places whose MAC range holds one of the
    /// run's MACs, or the run's MACs in those ranges looked up in the MAC index.
    private func otherClusters(_ query: RecordedHolderQuery, _ runDates: [Int64: Date]) throws -> [Int64] {
        let places = try rows("""
            SELECT id, lastRunId, minMAC, maxMAC FROM place WHERE kind <> 'imported' AND cluster <> ALL(\(query.coverage.clusters.sorted())::text[])
            """)
        guard !places.isEmpty else { return [] }
        let macs = query.macs
        guard !macs.isEmpty else { return [] }
        let lookup = OtherClusterLookup(runMACs: macs, places: try places.map { row in
            let (id, last, low, high) = try row.decode((Int64, Int64?, Int64?, Int64?).self)
            return OtherClusterLookup.Place(id: id, lastRun: last ?? 0, low: low, high: high)
        })
        guard !lookup.places.isEmpty else { return [] }
        let ids = lookup.places.map(\.id), placeRun = Dictionary(lookup.places.map { ($0.id, $0.lastRun) }, uniquingKeysWith: { a, _ in a })
        // Counted no further than the budget: past it, the MACs are looked up.
        let counted = try rows("""
            SELECT count(*) FROM (SELECT 1 FROM assignment WHERE placeId = ANY(\(ids)::bigint[]) AND state = 'live' LIMIT \(lookup.rowBudget + 1)) l
            """).first.map { try $0.decode(Int64.self) } ?? 0
        let found = lookup.looksUp(rows: Int(counted))
            ? try rows("SELECT id, mac, lastRunId, placeId FROM assignment WHERE mac = ANY(\(lookup.macs)::bigint[]) AND state = 'live'")
            : try rows("SELECT id, mac, lastRunId, placeId FROM assignment WHERE placeId = ANY(\(ids)::bigint[]) AND state = 'live'")
        var out: [Int64] = []
        for row in found {
            let (id, mac, last, placeId) = try row.decode((Int64, Int64, Int64?, Int64).self)
            guard let placeRun = placeRun[placeId], Self.sortedContains(macs, UInt64(mac)) else { continue }
            if (runDates[max(last ?? 0, placeRun)] ?? .distantPast) >= query.since { out.append(id) }
        }
        return out
    }

    static func sortedContains(_ sorted: [UInt64], from low: UInt64, through high: UInt64) -> Bool {
        guard low <= high else { return false }
        var lo = 0, hi = sorted.count
        while lo < hi { let mid = (lo + hi) / 2; if sorted[mid] < low { lo = mid + 1 } else { hi = mid } }
        return lo < sorted.count && sorted[lo] <= high
    }

    static func sortedContains(_ sorted: [UInt64], _ value: UInt64) -> Bool { sortedContains(sorted, from: value, through: value) }

    public func holderEvents(run: Int64?, holder: String?) throws -> [HolderEvent] {
        try reading("reading holder events") {
            try rows("""
                SELECT runId, at, holderKey, label, kind, fromMAC, toMAC, fromHost, toHost FROM holderEvent
                WHERE (\(run)::bigint IS NULL OR runId = \(run)) AND (\(holder)::text IS NULL OR holderKey = \(holder)) ORDER BY id
                """).map { row in
                let (runId, at, key, label, kindText, from, to, fromHost, toHost) =
                    try row.decode((Int64, Date, String, String, String, Int64?, Int64?, String?, String?).self)
                guard let kind = HolderEvent.Kind(rawValue: kindText) else {
                    throw StoreError.failed(location: location, operation: "reading holder events", reason: "'\(kindText)' is not an event this build knows")
                }
                return HolderEvent(runId: runId, at: at, holder: key, label: label, kind: kind, from: from.map(MACAddress.init(stored:)),
                                   to: to.map(MACAddress.init(stored:)), fromHost: fromHost, toHost: toHost)
            }
        }
    }

    public func assignments(of mac: MACAddress) throws -> [Assignment] {
        try reading("reading the holders of \(mac)") {
            try assignmentRows(where: "a.mac = \(mac.stored) ORDER BY a.firstRunId, a.id", runDates: try runDates()).map(\.assignment)
        }
    }

    /// Newest first, at most 1,000: holders whose key, VM or name contains `text` (any case).
    public func assignments(matching text: String) throws -> [Assignment] {
        try reading("reading assignments") {
            let runDates = try runDates(), needle = text.lowercased()
            var out: [Assignment] = []
            var before = Int64.max
            while out.count < 1000 {
                let page = try assignmentRows(where: "a.id < \(before) ORDER BY a.id DESC LIMIT 5000", runDates: runDates)
                guard let last = page.last else { break }
                for (_, a) in page where out.count < 1000 {
                    let s = a.sighting
                    if needle.isEmpty || [s.key, s.vm ?? "", s.name].contains(where: { $0.lowercased().contains(needle) }) { out.append(a) }
                }
                before = last.id
            }
            return out
        }
    }
}

extension PostgresStore {
    public func useChange(in ranges: [MACRange], after run: Int64) throws -> UseChange {
        try reading("reading pool use since run \(run)") {
            var change = UseChange(appeared: 0, went: 0)
            for range in ranges {
                let (lower, upper) = (range.lower.stored, range.upper.stored)
                var (appeared, went): (Int64, Int64) = (0, 0)
                if let row = try rows("""
                    SELECT COALESCE(SUM(CASE WHEN firstRun > \(run) THEN 1 ELSE 0 END), 0)::bigint,
                           COALESCE(SUM(CASE WHEN firstRun <= \(run) AND live = 0 AND lastGone > \(run) THEN 1 ELSE 0 END), 0)::bigint
                    FROM (SELECT MIN(firstRunId) AS firstRun, MAX(goneRunId) AS lastGone, SUM(CASE WHEN state = 'live' THEN 1 ELSE 0 END) AS live
                          FROM assignment WHERE mac BETWEEN \(lower) AND \(upper) GROUP BY mac) AS perMAC
                    """).first {
                    (appeared, went) = try row.decode((Int64, Int64).self)
                }
                change.appeared += UInt64(appeared)
                change.went += UInt64(went)
            }
            return change
        }
    }
}
