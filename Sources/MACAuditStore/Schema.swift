import GRDB

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
        return migrator
    }
}
