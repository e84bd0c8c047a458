import ArgumentParser
import Foundation
import MACAudit
import MACAuditPostgres
import MACAuditStore

extension MacAudit {
    /// `macaudit db …`: the pool database as a whole.
    struct DatabaseCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "db", abstract: "Work on a pool database as a whole.", subcommands: [Copy.self])

        struct Copy: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Copy a whole pool database (SQLite ⇄ PostgreSQL), in one transaction on the destination.",
                discussion: """
                    Every table is copied, then read back from the destination and compared with the source by row count \
                    and digest. A destination that already holds runs, holders, pools or reservations is refused unless \
                    --replace is given. A PostgreSQL destination must exist (createdb); its tables are made on first use. \
                    Example: macaudit db copy /var/lib/macaudit/pool.sqlite postgres://macaudit@db.example:5432/macaudit
                    """)
            @Argument(help: ArgumentHelp("The database to copy: an SQLite file or a postgres:// URL.", valueName: "source"))
            var source: String
            @Argument(help: ArgumentHelp("Where to copy it: an SQLite file (made when missing) or a postgres:// URL.", valueName: "destination"))
            var destination: String
            @Flag(help: "Empty a destination that holds data before copying (in the same transaction).") var replace = false

            func run() throws {
                let from = try PoolDatabase.open(source, create: false, forReading: true)
                let to = try PoolDatabase.open(destination, create: true)
                guard let fromTables = from as? any DatabaseTables, let toTables = to as? any DatabaseTables else {
                    throw Failure("this build cannot copy between \(from.location) and \(to.location)")
                }
                guard from.location != to.location else { throw Failure("\(from.location) is both the source and the destination") }
                let report = try DatabaseCopy.copy(from: fromTables, to: toTables, replace: replace)
                print("copied \(from.location) to \(to.location) (verified: row counts and digests read back from the destination)")
                for line in report.lines {
                    print("  \(line.table.padding(toLength: 12, withPad: " ", startingAt: 0)) \(String(line.rows).leftPadded(9)) rows  digest \(line.digest)")
                }
                print("integrity: \(try to.integrityCheck())")
            }
        }
    }
}

private extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
