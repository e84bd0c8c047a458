import Foundation
import GRDB
import MACAudit

/// The pool database schema. Migrations are named and only ever added: never edit one that has
/// shipped, add the next. A database that has migrations this build does not know was written by a
/// newer macaudit and is refused (``SQLiteStore`` checks `hasBeenSuperseded`).
///
/// MACs are stored as INTEGER (48 bits fit SQLite's 64-bit integers), so ranges are index ranges.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-pools-assignments-runs") { db in
            try db.execute(sql: """
                CREATE TABLE pool (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    scope TEXT NOT NULL CHECK (scope IN ('host', 'cluster', 'fleet')),
                    host TEXT,
                    cluster TEXT,
                    kind TEXT NOT NULL,
                    source TEXT NOT NULL,
                    createdAt TEXT NOT NULL
                );
                CREATE TABLE poolRange (
                    id INTEGER PRIMARY KEY,
                    poolId INTEGER NOT NULL REFERENCES pool(id) ON DELETE CASCADE,
                    first INTEGER NOT NULL,
                    last INTEGER NOT NULL,
                    CHECK (first <= last)
                );
                CREATE INDEX poolRangeFirst ON poolRange(first);
                CREATE INDEX poolRangePool ON poolRange(poolId);

                -- The complement of the used MACs (assignments and pending reservations) within each
                -- range, as maximal runs: the lowest free MAC and the largest gap are index lookups.
                CREATE TABLE freeRun (
                    rangeId INTEGER NOT NULL REFERENCES poolRange(id) ON DELETE CASCADE,
                    first INTEGER NOT NULL,
                    last INTEGER NOT NULL,
                    PRIMARY KEY (rangeId, first),
                    CHECK (first <= last)
                ) WITHOUT ROWID;
                CREATE INDEX freeRunLength ON freeRun(rangeId, (last - first));

                CREATE TABLE assignment (
                    mac INTEGER PRIMARY KEY,
                    holder TEXT NOT NULL,
                    holderKind TEXT NOT NULL,
                    host TEXT,
                    cluster TEXT,
                    source TEXT,
                    firstSeen TEXT NOT NULL,
                    lastSeen TEXT NOT NULL,
                    lastRunId INTEGER REFERENCES run(id)
                );

                CREATE TABLE reservation (
                    id INTEGER PRIMARY KEY,
                    mac INTEGER NOT NULL,
                    poolId INTEGER REFERENCES pool(id) ON DELETE SET NULL,
                    holder TEXT NOT NULL,
                    runId INTEGER REFERENCES run(id),
                    state TEXT NOT NULL CHECK (state IN ('pending', 'applied', 'released', 'expired')),
                    createdAt TEXT NOT NULL,
                    expiresAt TEXT
                );
                CREATE UNIQUE INDEX reservationPendingMAC ON reservation(mac) WHERE state = 'pending';
                CREATE INDEX reservationHolder ON reservation(holder, state);

                CREATE TABLE run (
                    id INTEGER PRIMARY KEY,
                    startedAt TEXT NOT NULL,
                    inputsDigest TEXT NOT NULL,
                    inputCount INTEGER NOT NULL,
                    clusters TEXT NOT NULL,
                    critical INTEGER NOT NULL,
                    error INTEGER NOT NULL,
                    warning INTEGER NOT NULL,
                    info INTEGER NOT NULL
                );

                CREATE TABLE finding (
                    fingerprint TEXT PRIMARY KEY,
                    checkId TEXT NOT NULL,
                    severity TEXT NOT NULL,
                    mac TEXT,
                    message TEXT NOT NULL,
                    cluster TEXT,
                    firstRunId INTEGER NOT NULL REFERENCES run(id),
                    lastRunId INTEGER NOT NULL REFERENCES run(id),
                    resolvedRunId INTEGER REFERENCES run(id)
                );
                CREATE INDEX findingOpen ON finding(resolvedRunId);

                CREATE TABLE runFinding (
                    runId INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                    fingerprint TEXT NOT NULL REFERENCES finding(fingerprint),
                    PRIMARY KEY (runId, fingerprint)
                ) WITHOUT ROWID;

                CREATE TABLE baseline (
                    fingerprint TEXT PRIMARY KEY,
                    reason TEXT NOT NULL,
                    acceptedBy TEXT NOT NULL,
                    acceptedAt TEXT NOT NULL,
                    expiresAt TEXT
                );
                """)
        }
        migrator.registerMigration("v2-holders") { db in try holders(db) }
        migrator.registerMigration("v3-packed-holders") { db in try packedHolders(db) }
        migrator.registerMigration("v4-assignment-state-check") { db in try cheapStateCheck(db) }
        // FNV-1a over (key hash, MAC, digest) of a place's live holders, in the order its last
        // reading listed them (NULL: not known). An audit that reads the same holders there again
        // compares this, not every row (see `SQLiteStore.recordHolders`).
        migrator.registerMigration("v5-place-holders-digest") { db in
            try db.execute(sql: "ALTER TABLE place ADD COLUMN holdersDigest INTEGER")
        }
        // Whether the run's report was written (0 until the command that recorded it says so): a
        // finding first seen by a run whose report never reached anyone is new again the next run.
        migrator.registerMigration("v6-run-reported") { db in
            try db.execute(sql: "ALTER TABLE run ADD COLUMN reported INTEGER NOT NULL DEFAULT 1 CHECK (reported = 0 OR reported = 1)")
        }
        return migrator
    }

    /// Every holder of every MAC, keyed by (holder key, MAC); holder events; reservations tied to
    /// holder keys and fulfilled by audits; the hosts each run covered.
    ///
    /// v1 kept one holder per MAC under a display label. Its rows are kept as live assignments
    /// keyed `legacy:<mac>:<label>` (key hash 0); the next audit that sees the MAC in the row's
    /// cluster gives the row its holder key (a `rekeyed` event). A legacy row no audit sees again becomes gone like
    /// any other once its host's export is read without it. Reservations made for an adapter `Id`
    /// get that adapter's holder key; `applied` reservations are `fulfilled`. Findings and baseline
    /// entries keep their v1 ids until an audit reports them again (see `Finding.legacyId`).
    private static func holders(_ db: Database) throws {
        let hadFindings = try Int.fetchOne(db, sql: "SELECT (SELECT COUNT(*) FROM finding) + (SELECT COUNT(*) FROM baseline)") ?? 0
        try db.execute(sql: """
            -- One export as the audits read it: a host's adapters from one file, a cluster's NC
            -- interfaces. `lastRunId` is the last run that read it: a live holder of a place was seen
            -- by that run (had it not been, it would be gone), so unchanged holders are never rewritten.
            CREATE TABLE place (
                id INTEGER PRIMARY KEY,
                cluster TEXT NOT NULL,
                host TEXT NOT NULL,
                kind TEXT NOT NULL,
                source TEXT NOT NULL,
                lastRunId INTEGER REFERENCES run(id),
                -- The lowest and highest MAC of its live holders as that run saw them (NULL: unknown):
                -- another site's audit skips the places whose range holds none of its MACs.
                minMAC INTEGER,
                maxMAC INTEGER,
                UNIQUE (cluster, host, kind, source)
            );
            CREATE TABLE holding (
                id INTEGER PRIMARY KEY,
                mac INTEGER NOT NULL,
                holderKey TEXT NOT NULL,
                keyHash INTEGER NOT NULL,
                placeId INTEGER NOT NULL REFERENCES place(id),
                alias TEXT,
                vm TEXT,
                name TEXT NOT NULL,
                adapterId TEXT,
                interfaceId TEXT,
                instanceId TEXT,
                interfaceMAC INTEGER,
                allocation TEXT,
                dynamicMAC INTEGER,
                controllerManaged INTEGER NOT NULL,
                switchId TEXT,
                switchKey TEXT,
                segment TEXT NOT NULL,
                record INTEGER NOT NULL,
                line INTEGER NOT NULL,
                digest INTEGER NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('live', 'gone', 'released')),
                firstRunId INTEGER REFERENCES run(id),
                -- The last run that wrote the row; the holder was last seen by this or its place's last run.
                lastRunId INTEGER REFERENCES run(id),
                goneRunId INTEGER REFERENCES run(id),
                releasedRunId INTEGER REFERENCES run(id)
            );
            INSERT INTO place (cluster, host, kind, source)
                SELECT DISTINCT COALESCE(cluster, ''), COALESCE(host, ''), holderKind, COALESCE(source, '') FROM assignment;
            INSERT INTO holding (mac, holderKey, keyHash, placeId, name, controllerManaged, segment, record, line, digest, state,
                                 firstRunId, lastRunId)
                SELECT a.mac, 'legacy:' || a.mac || ':' || a.holder, 0,
                       (SELECT id FROM place p WHERE p.cluster = COALESCE(a.cluster, '') AND p.host = COALESCE(a.host, '')
                                                 AND p.kind = a.holderKind AND p.source = COALESCE(a.source, '')),
                       a.holder, 0, '', 0, 0, 0, 'live',
                       COALESCE((SELECT MIN(id) FROM run WHERE startedAt = a.firstSeen), a.lastRunId), a.lastRunId
                FROM assignment a;
            DROP TABLE assignment;
            ALTER TABLE holding RENAME TO assignment;
            CREATE INDEX assignmentKey ON assignment(keyHash);
            CREATE INDEX assignmentMAC ON assignment(mac) WHERE state <> 'released';
            CREATE INDEX assignmentPlace ON assignment(placeId, state);
            CREATE INDEX assignmentGone ON assignment(goneRunId) WHERE state = 'gone';

            CREATE TABLE holderEvent (
                id INTEGER PRIMARY KEY,
                runId INTEGER NOT NULL REFERENCES run(id),
                at TEXT NOT NULL,
                holderKey TEXT NOT NULL,
                label TEXT NOT NULL,
                kind TEXT NOT NULL,
                fromMAC INTEGER,
                toMAC INTEGER,
                fromHost TEXT,
                toHost TEXT
            );
            CREATE INDEX holderEventHolder ON holderEvent(holderKey);
            CREATE INDEX holderEventRun ON holderEvent(runId);

            CREATE TABLE reservation2 (
                id INTEGER PRIMARY KEY,
                mac INTEGER NOT NULL,
                poolId INTEGER REFERENCES pool(id) ON DELETE SET NULL,
                holderKey TEXT NOT NULL,
                label TEXT,
                runId INTEGER REFERENCES run(id),
                state TEXT NOT NULL CHECK (state IN ('pending', 'fulfilled', 'released', 'expired')),
                createdAt TEXT NOT NULL,
                expiresAt TEXT,
                fromMAC INTEGER,
                fulfilledRunId INTEGER REFERENCES run(id)
            );
            INSERT INTO reservation2 (id, mac, poolId, holderKey, label, runId, state, createdAt, expiresAt)
                SELECT id, mac, poolId,
                       CASE WHEN holder LIKE 'Microsoft:%' THEN 'adapter:' || lower(replace(replace(holder, '{', ''), '}', ''))
                            ELSE holder END,
                       holder, runId, CASE state WHEN 'applied' THEN 'fulfilled' ELSE state END, createdAt, expiresAt
                FROM reservation;
            DROP TABLE reservation;
            ALTER TABLE reservation2 RENAME TO reservation;
            CREATE UNIQUE INDEX reservationPendingMAC ON reservation(mac) WHERE state = 'pending';
            CREATE INDEX reservationHolder ON reservation(holderKey, state);

            ALTER TABLE run ADD COLUMN hosts TEXT NOT NULL DEFAULT '';

            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            """)
        if hadFindings > 0 { try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('legacy-finding-ids', '1')") }
    }

    /// An assignment keeps what it is searched by as integers (MAC, key hash, place, state, digest,
    /// runs) and the rest of its holder packed in one BLOB (``PackedSighting``): a first audit of a
    /// million holders writes a third of the bytes v2's text columns took. The key-hash index goes
    /// (holders are looked up by MAC or by place); the MAC index covers released rows too, so a
    /// released holder seen again is found without a scan. Every v2 row is carried over as it was
    /// (its digest becomes that of its packed bytes).
    private static func packedHolders(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE packedAssignment (
                id INTEGER PRIMARY KEY,
                mac INTEGER NOT NULL,
                keyHash INTEGER NOT NULL,
                placeId INTEGER NOT NULL REFERENCES place(id),
                state TEXT NOT NULL CHECK (state IN ('live', 'gone', 'released')),
                -- FNV-1a of the packed holder: an equal digest (and place) means nothing to rewrite.
                digest INTEGER NOT NULL,
                firstRunId INTEGER REFERENCES run(id),
                -- The last run that wrote the row; a live holder was last seen by this or its place's last run.
                lastRunId INTEGER REFERENCES run(id),
                goneRunId INTEGER REFERENCES run(id),
                releasedRunId INTEGER REFERENCES run(id),
                -- Key, alias, VM, name, ids, switch, segment, record and line (PackedSighting, format 1).
                holder BLOB NOT NULL
            )
            """)
        let insert = try db.makeStatement(sql: """
            INSERT INTO packedAssignment (id, mac, keyHash, placeId, state, digest, firstRunId, lastRunId, goneRunId, releasedRunId, holder)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let rows = try Row.fetchCursor(db, sql: "SELECT a.*, p.host AS placeHost FROM assignment a JOIN place p ON p.id = a.placeId ORDER BY a.id")
        while let row = try rows.next() {
            let key: String = row["holderKey"], host: String = row["placeHost"], switchId: String? = row["switchId"]
            let storedId: String? = row["adapterId"], storedSwitchKey: String? = row["switchKey"]
            let sighting = HolderSighting(
                key: key, alias: row["alias"], mac: MACAddress(stored: row["mac"]), kind: "", cluster: "", host: host, vm: row["vm"],
                name: row["name"], adapterId: storedId == "" ? PackedSighting.adapterId(fromKey: key) : storedId, interfaceId: row["interfaceId"],
                instanceId: row["instanceId"], interfaceMAC: (row["interfaceMAC"] as Int64?).map(MACAddress.init(stored:)),
                allocation: row["allocation"], dynamicMAC: row["dynamicMAC"], controllerManaged: row["controllerManaged"], switchId: switchId,
                switchKey: storedSwitchKey ?? PackedSighting.switchKey(host: host, switchId: switchId), segment: row["segment"],
                source: SourceLocation(path: "", record: row["record"], line: row["line"]))
            let packed = PackedSighting.encode(sighting)
            let digest = packed.withUnsafeBytes { PackedSighting.digest($0) }
            try insert.execute(arguments: [row["id"], row["mac"], row["keyHash"], row["placeId"], row["state"], digest, row["firstRunId"],
                                           row["lastRunId"], row["goneRunId"], row["releasedRunId"], Data(packed)])
        }
        try db.execute(sql: """
            DROP TABLE assignment;
            ALTER TABLE packedAssignment RENAME TO assignment;
            CREATE INDEX assignmentMAC ON assignment(mac);
            CREATE INDEX assignmentPlace ON assignment(placeId, state);
            CREATE INDEX assignmentGone ON assignment(goneRunId) WHERE state = 'gone';
            """)
    }

    /// The same assignment table, its state checked by `=` and `OR` instead of `IN (…)`: SQLite
    /// 3.40 evaluated the `IN` list for every row written, and that took longer than the insert
    /// itself (1.1 s of a million-row first audit against 0.2 s). Rows, ids and indexes carry over.
    private static func cheapStateCheck(_ db: Database) throws {
        try rebuild(db, "assignment") {
            $0.replacingOccurrences(of: "CHECK (state IN ('live', 'gone', 'released'))",
                                    with: "CHECK (state = 'live' OR state = 'gone' OR state = 'released')")
        }
    }

    /// Rebuilds `table` from its own CREATE statement as `edit` changes it (SQLite cannot change a
    /// constraint in place): the rows with their ids, then the table's indexes as they were. An edit
    /// that changes nothing is an error, not a silent no-op.
    static func rebuild(_ db: Database, _ table: String, edit: (String) -> String) throws {
        guard let create = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", arguments: [table]) else {
            throw DatabaseError(message: "no table \(table) to rebuild")
        }
        let edited = edit(create)
        guard edited != create, let columns = edited.firstIndex(of: "(") else { throw DatabaseError(message: "rebuilding \(table) would change nothing: its statement is not the expected one") }
        let indexes = try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
                                          arguments: [table])
        let staged = "rebuilt_\(table)"
        // The statement with the staged name: everything from its column list on.
        try db.execute(sql: "CREATE TABLE \(staged) " + edited[columns...])
        try db.execute(sql: "INSERT INTO \(staged) SELECT * FROM \(table)")
        try db.execute(sql: "DROP TABLE \(table)")
        try db.execute(sql: "ALTER TABLE \(staged) RENAME TO \(table)")
        for index in indexes { try db.execute(sql: index) }
    }
}
