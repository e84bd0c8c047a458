import Foundation
import MACAudit
import PostgresNIO

/// The fleet database's schema: the tables of the SQLite store's current schema, in PostgreSQL's
/// types (MACs and hashes `bigint`, packed holders `bytea`, times `timestamptz`).
///
/// Migrations are named, applied in order, each in its own transaction with its row in
/// `schemaMigration`; never edit one that has shipped, add the next. A database with a migration
/// this build does not know was written by a newer macaudit and is refused. Processes that open a
/// new database at the same moment queue on an advisory lock, so one migrates and the others find
/// it done.
enum PostgresSchema {
    static let migrations: [(name: String, sql: String)] = [
        ("v1-fleet", """
            CREATE TABLE pool (
                id bigserial PRIMARY KEY,
                name text NOT NULL UNIQUE,
                scope text NOT NULL CHECK (scope IN ('host', 'cluster', 'fleet')),
                host text,
                cluster text,
                kind text NOT NULL,
                source text NOT NULL,
                createdAt timestamptz NOT NULL
            );
            CREATE TABLE poolRange (
                id bigserial PRIMARY KEY,
                poolId bigint NOT NULL REFERENCES pool(id) ON DELETE CASCADE,
                first bigint NOT NULL,
                last bigint NOT NULL,
                -- Every MAC of first … lowWater - 1 is used (NULL: none known): where the search for
                -- the lowest free MAC starts. Raised by reservations, lowered by every release.
                lowWater bigint,
                CHECK (first <= last)
            );
            CREATE INDEX poolRangeFirst ON poolRange(first);
            CREATE INDEX poolRangePool ON poolRange(poolId);

            CREATE TABLE run (
                id bigserial PRIMARY KEY,
                startedAt timestamptz NOT NULL,
                inputsDigest text NOT NULL,
                inputCount bigint NOT NULL,
                clusters text NOT NULL,
                critical bigint NOT NULL,
                error bigint NOT NULL,
                warning bigint NOT NULL,
                info bigint NOT NULL,
                hosts text NOT NULL DEFAULT ''
            );

            CREATE TABLE finding (
                fingerprint text PRIMARY KEY,
                checkId text NOT NULL,
                severity text NOT NULL,
                mac text,
                message text NOT NULL,
                cluster text,
                firstRunId bigint NOT NULL REFERENCES run(id),
                lastRunId bigint NOT NULL REFERENCES run(id),
                resolvedRunId bigint REFERENCES run(id)
            );
            CREATE INDEX findingOpen ON finding(lastRunId) WHERE resolvedRunId IS NULL;
            CREATE INDEX findingMAC ON finding(mac);

            CREATE TABLE runFinding (
                runId bigint NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                fingerprint text NOT NULL REFERENCES finding(fingerprint),
                PRIMARY KEY (runId, fingerprint)
            );

            CREATE TABLE baseline (
                fingerprint text PRIMARY KEY,
                reason text NOT NULL,
                acceptedBy text NOT NULL,
                acceptedAt timestamptz NOT NULL,
                expiresAt timestamptz
            );

            CREATE TABLE place (
                id bigserial PRIMARY KEY,
                cluster text NOT NULL,
                host text NOT NULL,
                kind text NOT NULL,
                source text NOT NULL,
                lastRunId bigint REFERENCES run(id),
                minMAC bigint,
                maxMAC bigint,
                UNIQUE (cluster, host, kind, source)
            );

            CREATE TABLE assignment (
                id bigserial PRIMARY KEY,
                mac bigint NOT NULL,
                keyHash bigint NOT NULL,
                placeId bigint NOT NULL REFERENCES place(id),
                state text NOT NULL CHECK (state IN ('live', 'gone', 'released')),
                digest bigint NOT NULL,
                firstRunId bigint REFERENCES run(id),
                lastRunId bigint REFERENCES run(id),
                goneRunId bigint REFERENCES run(id),
                releasedRunId bigint REFERENCES run(id),
                holder bytea NOT NULL
            );
            CREATE INDEX assignmentMAC ON assignment(mac);
            CREATE INDEX assignmentPlace ON assignment(placeId, state);
            CREATE INDEX assignmentGone ON assignment(goneRunId) WHERE state = 'gone';

            CREATE TABLE holderEvent (
                id bigserial PRIMARY KEY,
                runId bigint NOT NULL REFERENCES run(id),
                at timestamptz NOT NULL,
                holderKey text NOT NULL,
                label text NOT NULL,
                kind text NOT NULL,
                fromMAC bigint,
                toMAC bigint,
                fromHost text,
                toHost text
            );
            CREATE INDEX holderEventHolder ON holderEvent(holderKey);
            CREATE INDEX holderEventRun ON holderEvent(runId);

            CREATE TABLE reservation (
                id bigserial PRIMARY KEY,
                mac bigint NOT NULL,
                poolId bigint REFERENCES pool(id) ON DELETE SET NULL,
                holderKey text NOT NULL,
                label text,
                runId bigint REFERENCES run(id),
                state text NOT NULL CHECK (state IN ('pending', 'fulfilled', 'released', 'expired')),
                createdAt timestamptz NOT NULL,
                expiresAt timestamptz,
                fromMAC bigint,
                fulfilledRunId bigint REFERENCES run(id)
            );
            -- A MAC is pending for one holder at most, whatever the writers do.
            CREATE UNIQUE INDEX reservationPendingMAC ON reservation(mac) WHERE state = 'pending';
            CREATE INDEX reservationHolder ON reservation(holderKey, state);
            """),
    ]

    /// The advisory lock every migration and every write transaction takes: one writer at a time.
    static let writerLock: Int64 = 0x6D61_6361_7564_6974 & Int64.max  // "macaudit"

    /// A migration's statements (each ends with `;` at the end of a line; the server's extended
    /// protocol takes one at a time).
    static func statements(_ sql: String) -> [String] {
        sql.components(separatedBy: ";\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }

    /// Migrates the database to this build's schema, or refuses one written by a newer macaudit.
    static func migrate(_ session: PostgresSession, location: String) throws {
        do {
            try session.execute("CREATE TABLE IF NOT EXISTS schemaMigration (name text PRIMARY KEY, appliedAt timestamptz NOT NULL DEFAULT now())")
        } catch {
            // Two first opens may race to create the table: the loser finds it there.
            guard PostgresSession.sqlState(error) == "23505" || PostgresSession.sqlState(error) == "42P07" else { throw error }
        }
        try session.execute("BEGIN")
        do {
            try session.query("SELECT pg_advisory_xact_lock(\(writerLock))")
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
