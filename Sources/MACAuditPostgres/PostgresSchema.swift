import Foundation
import MACAudit
import PostgresNIO

/// The fleet database's schema: the tables of the SQLite store's current schema (the list
/// ``DatabaseCopy/tables`` keeps for both stores), in PostgreSQL's types (MACs and hashes `bigint`,
/// packed holders `bytea`, times `timestamptz`).
///
/// Migrations are named, applied in order, each in its own transaction with its row in
/// `schemaMigration`; never edit one that has shipped, add the next. A database with a migration
/// this build does not know was written by a newer macaudit and is refused. Processes that open a
/// new database at the same moment queue on an advisory lock, so one migrates and the others find
/// it done.
enum PostgresSchema {
    static let migrations: [(name: String, sql: String)] = [
        ("v1-fleet", fleetTables), ("v2-assignment-references", assignmentReferences),
        // FNV-1a of a place's live holders as its last reading listed them (``PlaceDigests``; NULL: not known).
        ("v3-place-holders-digest", "ALTER TABLE place ADD COLUMN holdersDigest bigint;\n"),
        // Whether the run's report was written (SQLite's v6): an integer, as both stores copy it.
        ("v4-run-reported", "ALTER TABLE run ADD COLUMN reported integer NOT NULL DEFAULT 1 CHECK (reported IN (0, 1));\n"),
    ]

    /// Assignments keep their place and run ids without foreign keys: the server checks a foreign
    /// key by a trigger query per row, and those made COPYing a first audit's million holders take
    /// 23 s instead of 5 (measured on Debian's PostgreSQL 15). Every id an audit writes is one it
    /// read or wrote in the same transaction, under the writer lock; ``PostgresStore/integrityCheck()``
    /// finds any reference that is not there.
    static let assignmentReferences = """
        ALTER TABLE assignment DROP CONSTRAINT IF EXISTS assignment_placeid_fkey, DROP CONSTRAINT IF EXISTS assignment_firstrunid_fkey,
            DROP CONSTRAINT IF EXISTS assignment_lastrunid_fkey, DROP CONSTRAINT IF EXISTS assignment_gonerunid_fkey,
            DROP CONSTRAINT IF EXISTS assignment_releasedrunid_fkey;
        """

    /// The first schema, made from the table list both stores share (``DatabaseCopy/tables``, the
    /// same columns `db copy` moves): each column in its PostgreSQL type with the constraints
    /// below, then each table's own extras and the indexes.
    static var fleetTables: String {
        let types: [DatabaseCopy.ColumnType: String] = [.integer: "bigint", .text: "text", .blob: "bytea", .date: "timestamptz"]
        var statements = DatabaseCopy.tables.map { table -> String in
            let columns = table.columns.filter { !addedLater.contains("\(table.name).\($0.name)") }.map { column -> String in
                if column.name == "id" { return "id bigserial PRIMARY KEY" }
                let constraint = constraints["\(table.name).\(column.name)"].map { " " + $0 } ?? ""
                return "\(column.name) \(types[column.type]!)\(constraint)"
            }
            return "CREATE TABLE \(table.name) (\n    " + (columns + (extras[table.name] ?? [])).joined(separator: ",\n    ") + "\n)"
        }
        statements += indexes
        return statements.joined(separator: ";\n") + ";\n"
    }

    /// Columns of ``DatabaseCopy/tables`` (today's schema) that a later migration adds: the first
    /// schema, which has shipped, is made without them.
    private static let addedLater: Set<String> = ["run.reported"]

    private static let required = "NOT NULL"
    private static let run = "REFERENCES run(id)"

    /// Column constraints by `table.column` (columns not named here may be NULL).
    private static let constraints: [String: String] = [
        "pool.name": "NOT NULL UNIQUE", "pool.scope": "NOT NULL CHECK (scope IN ('host', 'cluster', 'fleet'))", "pool.kind": required,
        "pool.source": required, "pool.createdAt": required,
        "poolRange.poolId": "NOT NULL REFERENCES pool(id) ON DELETE CASCADE", "poolRange.first": required, "poolRange.last": required,
        "run.startedAt": required, "run.inputsDigest": required, "run.inputCount": required, "run.clusters": required,
        "run.critical": required, "run.error": required, "run.warning": required, "run.info": required, "run.hosts": "NOT NULL DEFAULT ''",
        "finding.fingerprint": "PRIMARY KEY", "finding.checkId": required, "finding.severity": required, "finding.message": required,
        "finding.firstRunId": "NOT NULL \(run)", "finding.lastRunId": "NOT NULL \(run)", "finding.resolvedRunId": run,
        "runFinding.runId": "NOT NULL REFERENCES run(id) ON DELETE CASCADE", "runFinding.fingerprint": "NOT NULL REFERENCES finding(fingerprint)",
        "baseline.fingerprint": "PRIMARY KEY", "baseline.reason": required, "baseline.acceptedBy": required, "baseline.acceptedAt": required,
        "place.cluster": required, "place.host": required, "place.kind": required, "place.source": required, "place.lastRunId": run,
        "assignment.mac": required, "assignment.keyHash": required, "assignment.placeId": "NOT NULL REFERENCES place(id)",
        "assignment.state": "NOT NULL CHECK (state IN ('live', 'gone', 'released'))", "assignment.digest": required,
        "assignment.firstRunId": run, "assignment.lastRunId": run, "assignment.goneRunId": run, "assignment.releasedRunId": run,
        "assignment.holder": required,
        "holderEvent.runId": "NOT NULL \(run)", "holderEvent.at": required, "holderEvent.holderKey": required, "holderEvent.label": required,
        "holderEvent.kind": required,
        "reservation.mac": required, "reservation.poolId": "REFERENCES pool(id) ON DELETE SET NULL", "reservation.holderKey": required,
        "reservation.runId": run, "reservation.state": "NOT NULL CHECK (state IN ('pending', 'fulfilled', 'released', 'expired'))",
        "reservation.createdAt": required, "reservation.fulfilledRunId": run,
    ]

    /// What a table has beyond the shared columns.
    private static let extras: [String: [String]] = [
        // Every MAC of first … lowWater - 1 is used (NULL: none known): where the search for the
        // lowest free MAC starts. Raised by reservations, lowered by every release.
        "poolRange": ["lowWater bigint", "CHECK (first <= last)"],
        "runFinding": ["PRIMARY KEY (runId, fingerprint)"],
        "place": ["UNIQUE (cluster, host, kind, source)"],
    ]

    private static let indexes = [
        "CREATE INDEX poolRangeFirst ON poolRange(first)",
        "CREATE INDEX poolRangePool ON poolRange(poolId)",
        "CREATE INDEX findingOpen ON finding(lastRunId) WHERE resolvedRunId IS NULL",
        "CREATE INDEX findingMAC ON finding(mac)",
        "CREATE INDEX assignmentMAC ON assignment(mac)",
        "CREATE INDEX assignmentPlace ON assignment(placeId, state)",
        "CREATE INDEX assignmentGone ON assignment(goneRunId) WHERE state = 'gone'",
        "CREATE INDEX holderEventHolder ON holderEvent(holderKey)",
        "CREATE INDEX holderEventRun ON holderEvent(runId)",
        // A MAC is pending for one holder at most, whatever the writers do.
        "CREATE UNIQUE INDEX reservationPendingMAC ON reservation(mac) WHERE state = 'pending'",
        "CREATE INDEX reservationHolder ON reservation(holderKey, state)",
    ]

    /// The advisory lock every migration and every write transaction takes: one writer at a time.
    static let writerLock: Int64 = 0x6D61_6361_7564_6974 & Int64.max  // "macaudit"

    /// A migration's statements (each ends with `;` at the end of a line; the server's extended
    /// protocol takes one at a time).
    static func statements(_ sql: String) -> [String] {
        sql.components(separatedBy: ";\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }

    /// Refuses a database that holds another application's tables and no macaudit schema (`--db`
    /// naming the wrong database): migrating would add macaudit's tables to it.
    static func refuseForeign(_ session: PostgresSession, location: String) throws {
        let tables = try session.query("""
            SELECT table_name::text FROM information_schema.tables
            WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name
            """).rows.map { try $0.decode(String.self) }
        guard !tables.isEmpty, !tables.contains("schemamigration") else { return }
        let shown = tables.prefix(5).joined(separator: ", ") + (tables.count > 5 ? ", …" : "")
        throw StoreError.cannotOpen(location: location, reason: "it is another application's database (tables: \(shown)), not a pool database; "
                                    + "macaudit leaves it as it is (`createdb` one of its own)")
    }

    /// Migrates the database to this build's schema, or refuses one written by a newer macaudit.
    static func migrate(_ session: PostgresSession, location: String) throws {
        try session.execute("BEGIN")
        do {
            // The lock first, then the table: first opens at once queue here, and each after the
            // first finds the table made (creating it unlocked, two could collide on its row type).
            try session.query("SELECT pg_advisory_xact_lock(\(writerLock))")
            try refuseForeign(session, location: location)
            try session.execute("CREATE TABLE IF NOT EXISTS schemaMigration (name text PRIMARY KEY, appliedAt timestamptz NOT NULL DEFAULT now())")
            let applied = try session.query("SELECT name FROM schemaMigration ORDER BY appliedAt, name").rows.map { try $0.decode(String.self) }
            let known = Set(migrations.map(\.name))
            if applied.contains(where: { !known.contains($0) }) { throw StoreError.newerSchema(location: location) }
            for m in migrations where !applied.contains(m.name) {
                for statement in statements(m.sql) { try session.execute(statement) }
                try session.query("INSERT INTO schemaMigration (name) VALUES (\(m.name))")
            }
            try session.execute("COMMIT")
        } catch {
            try? session.execute("ROLLBACK")
            throw error
        }
    }
}
