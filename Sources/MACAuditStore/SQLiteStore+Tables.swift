import Foundation
import GRDB
import MACAudit

/// The SQLite store as tables, for `macaudit db copy` (``DatabaseCopy``): dates are ISO 8601 text
/// here, free runs are rebuilt from the copied assignments and reservations.
extension SQLiteStore: DatabaseTables {
    public func rows(of table: DatabaseCopy.Table) throws -> [[DatabaseCell]] {
        try reading("reading table \(table.name)") { db in try Self.rows(of: table, db) }
    }

    static func rows(of table: DatabaseCopy.Table, _ db: Database) throws -> [[DatabaseCell]] {
            let sql = "SELECT \(table.columns.map(\.name).joined(separator: ", ")) FROM \(table.name) ORDER BY \(table.order.joined(separator: ", "))"
            return try Row.fetchAll(db, sql: sql).map { row in
                try table.columns.indices.map { i in try Self.cell(row[i] as DatabaseValue, table.columns[i].type, "\(table.name).\(table.columns[i].name)") }
            }
    }

    static func cell(_ value: DatabaseValue, _ type: DatabaseCopy.ColumnType, _ column: String) throws -> DatabaseCell {
        switch value.storage {
        case .null: return .null
        case .int64(let v): return .integer(v)
        case .double(let v): return .integer(Int64(v))
        case .string(let s):
            guard type == .date else { return .text(s) }
            return .date(try StoredDate.parse(s, column))
        case .blob(let d): return .blob([UInt8](d))
        }
    }

    public func load(_ tables: [(DatabaseCopy.Table, [[DatabaseCell]])], replace: Bool,
                     check: (DatabaseCopy.Table, [[DatabaseCell]]) throws -> Void) throws {
        try immediate("copying into the database") { db in
            if replace {
                try db.execute(sql: "DELETE FROM freeRun")
                for (table, _) in tables.reversed() { try db.execute(sql: "DELETE FROM \(table.name)") }
            }
            for (table, rows) in tables where !rows.isEmpty {
                let marks = table.columns.map { _ in "?" }.joined(separator: ", ")
                let insert = try db.makeStatement(sql: "INSERT INTO \(table.name) (\(table.columns.map(\.name).joined(separator: ", "))) VALUES (\(marks))")
                for row in rows { try insert.execute(arguments: StatementArguments(row.map(Self.value))) }
            }
            try rebuildFreeRuns(db)
            for (table, _) in tables { try check(table, try Self.rows(of: table, db)) }
        }
    }

    private static func value(_ cell: DatabaseCell) -> DatabaseValue {
        switch cell {
        case .null: return .null
        case .integer(let v): return v.databaseValue
        case .text(let t): return t.databaseValue
        case .blob(let b): return Data(b).databaseValue
        case .date(let d): return StoredDate.text(d).databaseValue
        }
    }

    /// Free runs as the complement of the used MACs (live and gone assignments, pending reservations).
    private func rebuildFreeRuns(_ db: Database) throws {
        try db.execute(sql: "DELETE FROM freeRun")
        for row in try Row.fetchAll(db, sql: "SELECT id, first, last FROM poolRange") {
            try FreeRuns.initialise(db, range: row[0], first: row[1], last: row[2])
        }
        let ranges = try FreeRuns.RangeIndex(db)
        var taken = FreeRuns.Taken()
        for mac in try Int64.fetchAll(db, sql: """
            SELECT mac FROM assignment WHERE state <> 'released' UNION SELECT mac FROM reservation WHERE state = 'pending'
            """) {
            taken.add(mac, in: ranges)
        }
        try taken.apply(db)
    }

    public func firstNonEmptyTable() throws -> String? {
        try reading("reading the database") { db in
            try DatabaseCopy.tables.first { try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM \($0.name))") ?? false }?.name
        }
    }
}
