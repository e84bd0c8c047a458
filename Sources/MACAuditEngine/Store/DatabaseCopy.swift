import Foundation
import MACAuditModel

/// `macaudit db copy SRC DST`: a whole pool database from one backend to another (SQLite ⇄
/// PostgreSQL), table by table, in one transaction on the destination, checked afterwards by row
/// counts and a digest of each table read back from the destination.
///
/// The tables and their columns are the schema both stores share; each store reads and writes
/// them as ``DatabaseCell`` values, so dates cross as dates (SQLite keeps text, PostgreSQL
/// `timestamptz`) and holders as bytes. Derived structures (SQLite's free runs) are rebuilt by the
/// destination.
public enum DatabaseCopy {
    public enum ColumnType: Sendable { case integer, text, blob, date }

    public struct Table: Sendable {
        public let name: String
        public let columns: [(name: String, type: ColumnType)]
        /// Columns that order the rows (the primary key).
        public let order: [String]
        /// Whether its `id` column is a generated sequence (PostgreSQL's must be moved past the copied ids).
        public var hasSerialId: Bool { columns.first?.name == "id" }
    }

    /// Every table, parents before children.
    public static let tables: [Table] = [
        Table(name: "pool", columns: [("id", .integer), ("name", .text), ("scope", .text), ("host", .text), ("cluster", .text), ("kind", .text),
                                      ("source", .text), ("createdAt", .date)], order: ["id"]),
        Table(name: "poolRange", columns: [("id", .integer), ("poolId", .integer), ("first", .integer), ("last", .integer)], order: ["id"]),
        Table(name: "run", columns: [("id", .integer), ("startedAt", .date), ("inputsDigest", .text), ("inputCount", .integer), ("clusters", .text),
                                     ("critical", .integer), ("error", .integer), ("warning", .integer), ("info", .integer), ("hosts", .text),
                                     ("reported", .integer)],
              order: ["id"]),
        Table(name: "finding", columns: [("fingerprint", .text), ("checkId", .text), ("severity", .text), ("mac", .text), ("message", .text),
                                         ("cluster", .text), ("firstRunId", .integer), ("lastRunId", .integer), ("resolvedRunId", .integer)],
              order: ["fingerprint"]),
        Table(name: "runFinding", columns: [("runId", .integer), ("fingerprint", .text)], order: ["runId", "fingerprint"]),
        Table(name: "baseline", columns: [("fingerprint", .text), ("reason", .text), ("acceptedBy", .text), ("acceptedAt", .date), ("expiresAt", .date)],
              order: ["fingerprint"]),
        Table(name: "place", columns: [("id", .integer), ("cluster", .text), ("host", .text), ("kind", .text), ("source", .text), ("lastRunId", .integer),
                                       ("minMAC", .integer), ("maxMAC", .integer)], order: ["id"]),
        Table(name: "assignment", columns: [("id", .integer), ("mac", .integer), ("keyHash", .integer), ("placeId", .integer), ("state", .text),
                                            ("digest", .integer), ("firstRunId", .integer), ("lastRunId", .integer), ("goneRunId", .integer),
                                            ("releasedRunId", .integer), ("holder", .blob)], order: ["id"]),
        Table(name: "holderEvent", columns: [("id", .integer), ("runId", .integer), ("at", .date), ("holderKey", .text), ("label", .text), ("kind", .text),
                                             ("fromMAC", .integer), ("toMAC", .integer), ("fromHost", .text), ("toHost", .text)], order: ["id"]),
        Table(name: "reservation", columns: [("id", .integer), ("mac", .integer), ("poolId", .integer), ("holderKey", .text), ("label", .text),
                                             ("runId", .integer), ("state", .text), ("createdAt", .date), ("expiresAt", .date), ("fromMAC", .integer),
                                             ("fulfilledRunId", .integer)], order: ["id"]),
    ]

    /// What was copied and how it was checked.
    public struct Report: Sendable {
        public struct Line: Sendable { public let table: String; public let rows: Int; public let digest: String }
        public let lines: [Line]
    }

    /// Copies every table of `source` into `destination` in one transaction there, then reads the
    /// destination back and compares counts and digests table by table. A destination that holds
    /// runs, holders, pools or reservations is refused unless `replace` (then its tables are
    /// emptied first, in the same transaction).
    public static func copy(from source: any DatabaseTables, to destination: any DatabaseTables, replace: Bool) throws -> Report {
        if !replace, let what = try destination.firstNonEmptyTable() {
            throw StoreError.refused("\(destination.location) is not empty (its \(what) table has rows); give --replace to overwrite it")
        }
        var contents: [(Table, [[DatabaseCell]])] = []
        for table in tables { contents.append((table, try source.rows(of: table))) }
        var lines: [Report.Line] = []
        // Checked inside the destination's transaction: a copy that does not read back as it was
        // read is rolled back, never committed.
        try destination.load(contents, replace: replace) { table, copied in
            let rows = contents.first { $0.0.name == table.name }?.1 ?? []
            let want = digest(rows, table), got = digest(copied, table)
            guard copied.count == rows.count, want == got else {
                throw StoreError.failed(location: destination.location, operation: "verifying the copy",
                                        reason: "table \(table.name): \(rows.count) rows (digest \(want)) read, \(copied.count) rows (digest \(got)) written; nothing was copied")
            }
            lines.append(.init(table: table.name, rows: rows.count, digest: want))
        }
        return Report(lines: lines)
    }

    /// FNV-1a over the rows in key order, each cell in a canonical form (dates to the nearest
    /// millisecond, the precision SQLite's text keeps).
    public static func digest(_ rows: [[DatabaseCell]], _ table: Table) -> String {
        var h = FNV1a()
        for row in rows {
            for cell in row {
                switch cell {
                case .null: h.add(0)
                case .integer(let v): h.add(1); h.add(String(v))
                case .text(let t): h.add(2); h.add(t)
                case .blob(let b): h.add(3); for byte in b { h.add(byte) }
                case .date(let d): h.add(4); h.add(String(Int64((d.timeIntervalSince1970 * 1000).rounded())))
                }
                h.add(0x1F)
            }
            h.add(0x1E)
        }
        return String(h.value, radix: 16)
    }
}

/// One value of a copied row.
public enum DatabaseCell: Sendable, Equatable {
    case null
    case integer(Int64)
    case text(String)
    case blob([UInt8])
    case date(Date)
}

/// A pool database as tables, for ``DatabaseCopy``.
public protocol DatabaseTables: AnyObject {
    var location: String { get }
    /// The table's rows in key order, its columns in ``DatabaseCopy/Table/columns`` order.
    func rows(of table: DatabaseCopy.Table) throws -> [[DatabaseCell]]
    /// Writes the tables in one transaction (emptying them first with `replace`), rebuilds
    /// whatever the store derives from them, then reads each table back within the transaction and
    /// gives it to `check`, which refuses the copy (and rolls it all back) by throwing.
    func load(_ tables: [(DatabaseCopy.Table, [[DatabaseCell]])], replace: Bool,
              check: (DatabaseCopy.Table, [[DatabaseCell]]) throws -> Void) throws
    /// The first table with rows, if any.
    func firstNonEmptyTable() throws -> String?
}
