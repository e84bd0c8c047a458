import Foundation
import MACAudit
import NIOCore
import PostgresNIO

/// The fleet's pool database on a PostgreSQL server: the same tables, semantics and conformance
/// suite as the embedded SQLite store, for many sites' audits and planners at once.
///
/// **Concurrency.** Every write runs in one transaction that first takes a transaction-scoped
/// advisory lock (``PostgresSchema/writerLock``): writers queue, as SQLite's `BEGIN IMMEDIATE`
/// queues them, and each sees every earlier writer's commit. Reads never wait (MVCC snapshots).
/// One lock, always taken first, cannot deadlock. Serializable transactions with retries were
/// the alternative: they would let small writers overlap, but an audit's recording reads and
/// writes a site's whole holder set, so under serializable isolation it would be the transaction
/// that keeps failing and being redone while reservations commit around it. A unique index on
/// pending reservations' MACs guards the "never one MAC twice" rule whatever the code does.
public final class PostgresStore: PoolStore, @unchecked Sendable {
    let session: PostgresSession
    public let target: PostgresTarget

    /// Connects (within `connect_timeout`), then migrates the schema or refuses a newer one.
    public init(_ target: PostgresTarget) throws {
        self.target = target
        session = try PostgresSession(target)
        do {
            try PostgresSchema.migrate(session, location: target.display)
        } catch let e as StoreError {
            throw e
        } catch {
            throw StoreError.cannotOpen(location: target.display, reason: PostgresSession.reason(error))
        }
    }

    public var location: String { target.display }

    /// The references between rows hold and every MAC is within 48 bits: "ok", else what is wrong.
    /// (The server keeps its own pages consistent; what can go wrong here is the data.)
    public func integrityCheck() throws -> String {
        try reading("the integrity check") {
            let checks: [(String, String)] = [
                ("assignments whose place is not there", "SELECT count(*) FROM assignment a WHERE NOT EXISTS (SELECT 1 FROM place p WHERE p.id = a.placeId)"),
                ("assignments naming a run that is not there", """
                    SELECT count(*) FROM assignment a WHERE EXISTS (
                        SELECT 1 FROM unnest(ARRAY[a.firstRunId, a.lastRunId, a.goneRunId, a.releasedRunId]) AS r(id)
                        WHERE r.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM run WHERE run.id = r.id))
                    """),
                ("MACs wider than 48 bits", "SELECT (SELECT count(*) FROM assignment WHERE mac < 0 OR mac > 281474976710655) + (SELECT count(*) FROM reservation WHERE mac < 0 OR mac > 281474976710655)"),
                ("run findings whose finding is not there", "SELECT count(*) FROM runFinding r WHERE NOT EXISTS (SELECT 1 FROM finding f WHERE f.fingerprint = r.fingerprint)"),
            ]
            for (what, sql) in checks {
                let n = try session.query(PostgresQuery(unsafeSQL: sql)).rows.first.map { try $0.decode(Int64.self) } ?? 0
                if n > 0 { return "\(n) \(what)" }
            }
            return "ok"
        }
    }

    // MARK: - Transactions

    /// Runs `body` in one transaction holding the writer lock; any failure rolls it all back and
    /// comes out as a ``StoreError`` naming the server and `operation`.
    @discardableResult
    func writing<T>(_ operation: String, _ body: () throws -> T) throws -> T {
        var transactionId: Int64?
        return try transaction(operation, begin: "BEGIN", settle: { try self.outcome(of: transactionId, operation) }) {
            // The transaction's id as well: if the server goes while it commits, it tells afterwards
            // whether the commit happened.
            transactionId = try session.query("SELECT txid_current() FROM pg_advisory_xact_lock(\(PostgresSchema.writerLock))").rows.first
                .map { try $0.decode(Int64.self) }
            return try body()
        }
    }

    /// When a COMMIT's answer never came (the connection dropped: the server stopped or the
    /// network went), whether the transaction was kept: asked over a new connection. True: it
    /// committed; anything else is an error saying what is known.
    func outcome(of transactionId: Int64?, _ operation: String) throws -> Bool {
        let lost = "the connection to the server was lost while it committed"
        guard let transactionId else { throw StoreError.failed(location: location, operation: operation, reason: lost) }
        let status: String?
        do {
            status = try PostgresSession(target).query("SELECT txid_status(\(transactionId))").rows.first.map { try $0.decode(String?.self) } ?? nil
        } catch {
            throw StoreError.failed(location: location, operation: operation, reason: """
                \(lost), and it cannot be asked again now (\(PostgresSession.reason(error))): whether transaction \(transactionId) \
                was kept is unknown; `macaudit history` shows it once the server is back
                """)
        }
        guard status == "committed" else {
            throw StoreError.failed(location: location, operation: operation, reason: "\(lost); it was not kept (transaction \(transactionId): \(status ?? "unknown to the server"))")
        }
        return true
    }

    /// A read in one snapshot.
    func reading<T>(_ operation: String, _ body: () throws -> T) throws -> T {
        try transaction(operation, begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
    }

    /// `settle` is asked when the COMMIT itself fails by a lost connection: true if the server
    /// kept the transaction all the same (it may throw its own account of what is known).
    private func transaction<T>(_ operation: String, begin: String, settle: () throws -> Bool = { false },
                                _ body: () throws -> T) throws -> T {
        try mapped(operation) {
            try session.execute(begin)
            let result: T
            do {
                result = try body()
            } catch {
                try? session.execute("ROLLBACK")
                throw error
            }
            do {
                try session.execute("COMMIT")
            } catch where PostgresSession.isConnectionLost(error) {
                guard try settle() else { throw error }
            }
            return result
        }
    }

    private func mapped<T>(_ operation: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as StoreError { throw e } catch {
            throw StoreError.failed(location: location, operation: operation, reason: PostgresSession.reason(error))
        }
    }

    /// Rows of a query.
    func rows(_ query: PostgresQuery) throws -> [PostgresRow] { try session.query(query).rows }

    /// Rows changed by a statement.
    @discardableResult
    func run(_ query: PostgresQuery) throws -> Int { try session.query(query).metadata.rows ?? 0 }

    /// The one value of a one-row query (nil for no row).
    func scalar<T: PostgresDecodable>(_ type: T.Type, _ query: PostgresQuery) throws -> T? {
        try rows(query).first.map { try $0.decode(T.self) }
    }

    func runDates() throws -> [Int64: Date] {
        var out: [Int64: Date] = [:]
        for row in try rows("SELECT id, startedAt FROM run") {
            let (id, at) = try row.decode((Int64, Date).self)
            out[id] = at
        }
        return out
    }
}

extension MACAddress {
    /// The value as the database keeps it (48 bits in a `bigint`).
    var stored: Int64 { Int64(value) }
    init(stored: Int64) { self.init(uncheckedValue: UInt64(bitPattern: stored)) }
}
