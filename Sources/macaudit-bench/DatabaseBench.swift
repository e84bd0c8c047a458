import ArgumentParser
import Foundation
import MACAudit
import MACAuditPostgres

extension Bench {
    /// Times `audit --db` against the same audit without a database, in one run, on field-shaped
    /// fleets: a fleet's first audit (every holder new) and its unchanged re-audit; then another
    /// site's cluster audited against a database that already holds the first fleet's holders.
    /// Every figure is the best of `--repeats` rounds (`--site-repeats` for the other site), as the
    /// baseline is, beside the median of the rounds' own ratios. A round runs the audit
    /// without a database right before the ones with it, so each round's ratio (the `pairs`
    /// column) compares runs a few seconds apart: this VM's speed drifts by a third over minutes,
    /// and the best of each column alone can pair a fast baseline with a slow database run. A
    /// first run starts each time from the same database (none, or the fleet's, copied back and
    /// flushed to disk first). The database holds each site's MAC pool (`pool add`, before the
    /// fleet's first run), as a central pool's database does: every new holder is taken from a
    /// pool's free space. With `--interleaved`, both sites draw on one pool and their MACs alternate.
    struct DatabaseRun: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "database", abstract: "Benchmark audit --db (first run, unchanged re-run, a new site against a full database).")
        @Option(help: "Adapters of the fleet recorded first (NC interfaces = half).") var adapters = 1_000_000
        @Option(help: "Adapters of the other site's cluster audited against that database.") var site = 100_000
        @Option(help: "Work folder (fleets are kept and reused).") var work = "bench-out"
        @Flag(help: "The two sites draw on one central pool: their MACs share a prefix and alternate, so every export's MAC range spans the other site's MACs.")
        var interleaved = false
        @Option(help: "Runs of each measurement, with and without a database; the best is kept.") var repeats = 2
        @Option(help: "Rounds of the other site's audits (a second each: more rounds than the fleet's, whose figure drifts less).")
        var siteRepeats = 7
        @Option(help: ArgumentHelp("Also time the same audits into this PostgreSQL database, which must be empty (createdb a new one); one run each.",
                                   valueName: "url"))
        var postgres: String?

        func run() throws {
            let binary = try builtMacaudit()
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            let shape = interleaved ? "-interleaved" : ""
            let fleet = "\(work)/fleet-\(adapters)\(shape)", other = "\(work)/site1-\(site)\(shape)"
            var fleetSite = FleetGenerator(adapters: adapters, interfaces: adapters / 2), otherSite = FleetGenerator(adapters: site, interfaces: site / 2, site: 1)
            fleetSite.interleaved = interleaved
            otherSite.interleaved = interleaved
            _ = try fleetSite.write(to: fleet)
            _ = try otherSite.write(to: other)
            func addPools(_ location: String) throws {
                let pools = interleaved ? [fleetSite.macPool] : [fleetSite.macPool, otherSite.macPool]  // one central pool, or one per site
                for command in [["pool", "init"]] + pools.map({ ["pool", "add"] + $0 }) {
                    let line = "'\(binary)' \(command.joined(separator: " ")) --db '\(location)'"
                    guard spawnAndWait("/bin/sh", ["-c", line + " > /dev/null"]).status == 0 else { throw ValidationError("\(line) failed") }
                }
            }
            let db = "\(work)/bench-pool.sqlite", fleetOnly = "\(work)/bench-pool-fleet.sqlite"
            func audit(_ inputs: String, _ extra: String = "") -> Measurement {
                measure("/bin/sh", ["-c", "'\(binary)' audit '\(inputs)' --format json --fail-on critical \(extra) > /dev/null"])
            }
            print("machine: \(machine())")
            print("| audit | holders | without --db s | with --db s | ratio | median pair | pairs | peak MiB with --db |")
            print("|---|---:|---:|---:|---:|---:|---|---:|")
            var fleetRounds: [Round] = []
            for _ in 0..<max(1, repeats) {
                let plain = audit(fleet)
                Self.remove(db)
                try addPools(db)
                let first = audit(fleet, "--db '\(db)'")
                fleetRounds.append(Round(plain: plain, first: first, again: audit(fleet, "--db '\(db)'")))
            }
            row("fleet, first run (every holder new)", adapters, fleetRounds, \.first)
            row("fleet, unchanged re-run", adapters, fleetRounds, \.again)
            try Self.copy(db, to: fleetOnly)
            var siteRounds: [Round] = []
            for _ in 0..<max(1, siteRepeats) {
                let plain = audit(other)
                try? Self.copy(fleetOnly, to: db)
                let first = audit(other, "--db '\(db)'")
                siteRounds.append(Round(plain: plain, first: first, again: audit(other, "--db '\(db)'")))
            }
            row("other site against \(adapters) recorded holders, first run", site, siteRounds, \.first)
            row("other site against \(adapters) recorded holders, re-run", site, siteRounds, \.again)
            let size = (try? FileManager.default.attributesOfItem(atPath: db)[.size] as? Int) ?? 0
            print(String(format: "\ndatabase: %.0f MB for %d + %d adapters", Double(size) / 1e6, adapters, site))
            Self.remove(fleetOnly)
            guard let postgres else { return }
            guard case .postgres(let target) = try DatabaseLocation.parse(postgres),
                  try PostgresStore(target).firstNonEmptyTable() == nil else {
                throw ValidationError("--postgres must name an empty PostgreSQL database (createdb a new one)")
            }
            print("\nPostgreSQL (\(target.display)), one round each (the audit without a database, then with it), against the SQLite figures above:")
            print("| audit | holders | without --db s | PostgreSQL s | ratio | vs SQLite | peak MiB |")
            print("|---|---:|---:|---:|---:|---:|---:|")
            try addPools(postgres)
            let pgFleet = Round(plain: audit(fleet), first: audit(fleet, "--db '\(postgres)'"), again: audit(fleet, "--db '\(postgres)'"))
            let pgSite = Round(plain: audit(other), first: audit(other, "--db '\(postgres)'"), again: audit(other, "--db '\(postgres)'"))
            pgRow("fleet, first run (every holder new)", adapters, pgFleet.plain, pgFleet.first, best(fleetRounds.map(\.first)))
            pgRow("fleet, unchanged re-run", adapters, pgFleet.plain, pgFleet.again, best(fleetRounds.map(\.again)))
            pgRow("other site against \(adapters) recorded holders, first run", site, pgSite.plain, pgSite.first, best(siteRounds.map(\.first)))
            pgRow("other site against \(adapters) recorded holders, re-run", site, pgSite.plain, pgSite.again, best(siteRounds.map(\.again)))
        }

        /// One round: the audit without a database, then its first run and its re-run with one.
        struct Round {
            var plain: Measurement, first: Measurement, again: Measurement
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

        /// The best of each column, their ratio, each round's own ratio and the median of those.
        func row(_ what: String, _ n: Int, _ rounds: [Round], _ run: KeyPath<Round, Measurement>) {
            let plain = best(rounds.map(\.plain)), db = best(rounds.map { $0[keyPath: run] })
            let failed = db.status != 0 && db.status != 256 ? " (exit status \(db.status))" : ""
            let ratios = rounds.map { $0[keyPath: run].wall / $0.plain.wall }
            let pairs = ratios.map { String(format: "%.2f×", $0) }.joined(separator: ", ")
            print(String(format: "| %@%@ | %d | %.2f | %.2f | %.2f× | %.2f× | %@ | %.0f |", what, failed, n, plain.wall, db.wall, db.wall / plain.wall,
                         Self.median(ratios), pairs, db.peakMiB))
        }

        /// The middle value (the mean of the two middle ones for an even count).
        static func median(_ values: [Double]) -> Double {
            let sorted = values.sorted()
            guard !sorted.isEmpty else { return 0 }
            let mid = sorted.count / 2
            return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
        }
    }
}
