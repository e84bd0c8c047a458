import Foundation
import MACAudit
import NIOCore
import PostgresNIO

/// The PostgreSQL store as tables, for `macaudit db copy` (``DatabaseCopy``). Rows go in as
/// multi-row INSERTs of bound values; the id sequences are moved past the copied ids.
extension PostgresStore: DatabaseTables {
    public func rows(of table: DatabaseCopy.Table) throws -> [[DatabaseCell]] {
        try reading("reading table \(table.name)") { try tableRows(table) }
    }

    private func tableRows(_ table: DatabaseCopy.Table) throws -> [[DatabaseCell]] {
            let sql = "SELECT \(table.columns.map(\.name).joined(separator: ", ")) FROM \(table.name) ORDER BY "
                + table.order.map { key in table.columns.first { $0.name == key }?.type == .text ? "\(key) COLLATE \"C\"" : key }.joined(separator: ", ")
            return try rows(PostgresQuery(unsafeSQL: sql)).map { row in
                var cells: [DatabaseCell] = []
                for (i, cell) in row.enumerated() { cells.append(try Self.cell(cell, table.columns[i].type)) }
                return cells
            }
    }

    static func cell(_ cell: PostgresCell, _ type: DatabaseCopy.ColumnType) throws -> DatabaseCell {
        guard cell.bytes != nil else { return .null }
        switch type {
        case .integer: return .integer(try cell.decode(Int64.self))
        case .text: return .text(try cell.decode(String.self))
        case .blob: return .blob(Array(buffer: try cell.decode(ByteBuffer.self)))
        case .date: return .date(try cell.decode(Date.self))
        }
    }

    public func load(_ tables: [(DatabaseCopy.Table, [[DatabaseCell]])], replace: Bool,
                     check: (DatabaseCopy.Table, [[DatabaseCell]]) throws -> Void) throws {
        try writing("copying into the database") {
            if replace { try run(PostgresQuery(unsafeSQL: "TRUNCATE \(tables.map(\.0.name).joined(separator: ", ")) RESTART IDENTITY CASCADE")) }
            for (table, rows) in tables {
                let perStatement = max(1, 30_000 / table.columns.count)
                for start in stride(from: 0, to: rows.count, by: perStatement) {
                    try insert(rows[start..<min(rows.count, start + perStatement)], into: table)
                }
                if table.hasSerialId {
                    try run(PostgresQuery(unsafeSQL: """
                        SELECT setval(pg_get_serial_sequence('\(table.name.lowercased())', 'id'), COALESCE((SELECT max(id) FROM \(table.name)), 0) + 1, false)
                        """))
                }
            }
            for (table, _) in tables { try check(table, try tableRows(table)) }
        }
    }

    private func insert(_ rows: ArraySlice<[DatabaseCell]>, into table: DatabaseCopy.Table) throws {
        var binds = PostgresBindings(capacity: rows.count * table.columns.count)
        var tuples: [String] = []
        tuples.reserveCapacity(rows.count)
        var n = 0
        for row in rows {
            var marks: [String] = []
            for (i, cell) in row.enumerated() {
                n += 1
                switch cell {
                case .null: binds.appendNull()
                case .integer(let v): binds.append(v)
                case .text(let t): binds.append(t)
                case .blob(let b): binds.append(ByteBuffer(bytes: b))
                case .date(let d): binds.append(d)
                }
                let cast: String
                switch table.columns[i].type {
                case .integer: cast = "bigint"
                case .text: cast = "text"
                case .blob: cast = "bytea"
                case .date: cast = "timestamptz"
                }
                marks.append("$\(n)::\(cast)")
            }
            tuples.append("(\(marks.joined(separator: ", ")))")
        }
        try run(PostgresQuery(unsafeSQL: "INSERT INTO \(table.name) (\(table.columns.map(\.name).joined(separator: ", "))) VALUES \(tuples.joined(separator: ", "))",
                              binds: binds))
    }

    public func firstNonEmptyTable() throws -> String? {
        try reading("reading the database") {
            for table in DatabaseCopy.tables where try scalar(Bool.self, PostgresQuery(unsafeSQL: "SELECT EXISTS (SELECT 1 FROM \(table.name))")) == true {
                return table.name
            }
            return nil
        }
    }
}
