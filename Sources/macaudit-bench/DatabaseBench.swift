import ArgumentParser
import Foundation
import MACAudit
import MACAuditPostgres

extension Bench {
    /// Times `audit --db` against the same audit without a database, in one run, on field-shaped
    /// fleets: a fleet's first audit (every holder new) and its unchanged re-audit; then another
    /// site's cluster audited against a database that already holds the first fleet's holders.
    /// Every figure is the best of `--repeats` runs, as the baseline is: a first run starts each
    /// time from the same database (none, or the fleet's, copied back and flushed to disk first).
    struct DatabaseRun: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "database", abstract: "Benchmark audit --db (first run, unchanged re-run, a new site against a full database).")
        @Option(help: "Adapters of the fleet recorded first (NC interfaces = half).") var adapters = 1_000_000
        @Option(help: "Adapters of the other site's cluster audited against that database.") var site = 100_000
        @Option(help: "Work folder (fleets are kept and reused).") var work = "bench-out"
        @Option(help: "Runs of each measurement, with and without a database; the best is kept.") var repeats = 2
        @Option(help: ArgumentHelp("Also time the same audits into this PostgreSQL database, which must be empty (createdb a new one); one run each.",
                                   valueName: "url"))
        var postgres: String?

        func run() throws {
            let binary = try builtMacaudit()
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            let fleet = "\(work)/fleet-\(adapters)", other = "\(work)/site1-\(site)"
            _ = try FleetGenerator(adapters: adapters, interfaces: adapters / 2).write(to: fleet)
            _ = try FleetGenerator(adapters: site, interfaces: site / 2, site: 1).write(to: other)
            let db = "\(work)/bench-pool.sqlite", fleetOnly = "\(work)/bench-pool-fleet.sqlite"
            func audit(_ inputs: String, _ extra: String = "") -> Measurement {
                measure("/bin/sh", ["-c", "'\(binary)' audit '\(inputs)' --format json --fail-on critical \(extra) > /dev/null"])
            }
            print("machine: \(machine())")
            print("| audit | holders | without --db s | with --db s | ratio | peak MiB with --db |")
            print("|---|---:|---:|---:|---:|---:|")
            let plain = best(repeats) { audit(fleet) }
            let first = best(repeats) {
                Self.remove(db)
                return audit(fleet, "--db '\(db)'")
            }
            let again = best(repeats) { audit(fleet, "--db '\(db)'") }
            row("fleet, first run (every holder new)", adapters, plain, first)
            row("fleet, unchanged re-run", adapters, plain, again)
            try Self.copy(db, to: fleetOnly)
            let sitePlain = best(repeats) { audit(other) }
            let siteFirst = best(repeats) {
                try? Self.copy(fleetOnly, to: db)
                return audit(other, "--db '\(db)'")
            }
            let siteAgain = best(repeats) { audit(other, "--db '\(db)'") }
            row("other site against \(adapters) recorded holders, first run", site, sitePlain, siteFirst)
            row("other site against \(adapters) recorded holders, re-run", site, sitePlain, siteAgain)
            let size = (try? FileManager.default.attributesOfItem(atPath: db)[.size] as? Int) ?? 0
            print(String(format: "\ndatabase: %.0f MB for %d + %d adapters", Double(size) / 1e6, adapters, site))
            Self.remove(fleetOnly)
            guard let postgres else { return }
            guard case .postgres(let target) = try DatabaseLocation.parse(postgres),
                  try PostgresStore(target).firstNonEmptyTable() == nil else {
                throw ValidationError("--postgres must name an empty PostgreSQL database (createdb a new one)")
            }
            print("\nPostgreSQL (\(target.display)), one run each, against the same audits without a database and the SQLite figures above:")
            print("| audit | holders | without --db s | PostgreSQL s | ratio | vs SQLite | peak MiB |")
            print("|---|---:|---:|---:|---:|---:|---:|")
            let pgFirst = audit(fleet, "--db '\(postgres)'"), pgAgain = audit(fleet, "--db '\(postgres)'")
            let pgSiteFirst = audit(other, "--db '\(postgres)'"), pgSiteAgain = audit(other, "--db '\(postgres)'")
            pgRow("fleet, first run (every holder new)", adapters, plain, pgFirst, first)
            pgRow("fleet, unchanged re-run", adapters, plain, pgAgain, again)
            pgRow("other site against \(adapters) recorded holders, first run", site, sitePlain, pgSiteFirst, siteFirst)
            pgRow("other site against \(adapters) recorded holders, re-run", site, sitePlain, pgSiteAgain, siteAgain)
        }

        /// A database file and what SQLite keeps beside it.
        static func remove(_ db: String) {
            for suffix in ["", "-wal", "-shm", ".migrate-lock"] { try? FileManager.default.removeItem(atPath: db + suffix) }
        }

        /// A closed database (and its WAL, if one was left) copied over `destination`, then flushed:
        /// otherwise the audit timed next pays for writing the copy back when it first syncs.
        static func copy(_ db: String, to destination: String) throws {
            remove(destination)
            for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: db + suffix) {
                try FileManager.default.copyItem(atPath: db + suffix, toPath: destination + suffix)
            }
            sync()
        }

        func pgRow(_ what: String, _ n: Int, _ plain: Measurement, _ db: Measurement, _ sqlite: Measurement) {
            let failed = db.status != 0 && db.status != 256 ? " (exit status \(db.status))" : ""
            print(String(format: "| %@%@ | %d | %.2f | %.2f | %.2f× | %.2f× | %.0f |", what, failed, n, plain.wall, db.wall, db.wall / plain.wall,
                         db.wall / sqlite.wall, db.peakMiB))
        }

        func row(_ what: String, _ n: Int, _ plain: Measurement, _ db: Measurement) {
            let failed = db.status != 0 && db.status != 256 ? " (exit status \(db.status))" : ""
            print(String(format: "| %@%@ | %d | %.2f | %.2f | %.2f× | %.0f |", what, failed, n, plain.wall, db.wall, db.wall / plain.wall, db.peakMiB))
        }
    }
}
