import GRDB
import GRDBSQLite
import MACAudit

/// A prepared statement bound and stepped through SQLite's C API: for the one statement run a
/// million times in a first audit (an assignment insert), where GRDB's argument arrays cost three
/// times what SQLite itself does. Values are bound in order with ``bind(_:)``; ``run()`` steps,
/// resets and clears, and turns a failure into a ``StoreError`` naming the operation.
struct RawStatement {
    /// Kept so that its handle lives as long as this (GRDB finalises a statement it no longer holds).
    private let statement: Statement
    private let handle: SQLiteStatement
    private let database: Database
    private let operation: String
    private var index: Int32 = 0

    init(_ statement: Statement, _ db: Database, operation: String) {
        self.statement = statement
        handle = statement.sqliteStatement
        database = db
        self.operation = operation
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    mutating func bind(_ value: Int64?) {
        index += 1
        if let value { sqlite3_bind_int64(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    mutating func bind(_ value: Int?) { bind(value.map(Int64.init)) }

    mutating func bind(_ value: Bool?) { bind(value.map { $0 ? Int64(1) : 0 }) }

    mutating func bind(_ value: String?) {
        index += 1
        guard var value else { sqlite3_bind_null(handle, index); return }
        let i = index, h = handle
        value.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { text in
                _ = sqlite3_bind_text(h, i, text.baseAddress ?? UnsafePointer(bitPattern: 1), Int32(text.count), Self.transient)
            }
        }
    }

    /// Binds bytes as a BLOB without copying them: they must stay where they are until ``run(_:)``
    /// (the audit's packed holders do: they live as long as the recording).
    mutating func bind(unchanging bytes: UnsafeRawBufferPointer) {
        index += 1
        _ = sqlite3_bind_blob(handle, index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(bytes.count), nil)
    }

    /// Steps the statement once (it returns no rows), then makes it ready for the next values.
    mutating func run(_ location: String) throws {
        defer { ready() }
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else { throw failure(location) }
    }

    /// Steps the statement: the first column of its next row as an integer; nil when it has no
    /// more (it is then ready for the next values). ``reset()`` ends a walk before that.
    mutating func nextInteger(_ location: String) throws -> Int64? {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return sqlite3_column_int64(handle, 0)
        case SQLITE_DONE: ready(); return nil
        default: let error = failure(location); ready(); throw error
        }
    }

    /// Makes the statement ready for the next values, wherever a walk through its rows stands.
    mutating func reset() { ready() }

    private mutating func ready() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        index = 0
    }

    private func failure(_ location: String) -> StoreError {
        .failed(location: location, operation: operation, reason: String(cString: sqlite3_errmsg(database.sqliteConnection)))
    }
}
