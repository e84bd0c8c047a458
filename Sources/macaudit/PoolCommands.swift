import ArgumentParser
import Foundation
import MACAudit
import MACAuditStore
import MACAuditPostgres

/// `--db PATH|URL`, shared by every command that uses the pool database.
struct DatabaseOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The pool database: an SQLite file, or a PostgreSQL server as postgres://user@host:5432/database "
                               + "(default: $MACAUDIT_DB, else $XDG_DATA_HOME/macaudit/pool.sqlite).", valueName: "path|url"))
    var db: String?

    var path: String { db ?? SQLiteStore.defaultPath() }

    /// The database, which must exist: only `pool init` and `audit --db` create one, so a typo in
    /// `--db` is an error rather than a new, empty database.
    func open() throws -> any PoolStore { try PoolDatabase.open(path, create: false) }

    /// The database, which must exist, for a command that only reads it: it neither writes nor
    /// waits for a running audit (an SQLite file is opened read-only when its schema is current).
    func openForReading() throws -> any PoolStore { try PoolDatabase.open(path, create: false, forReading: true) }
}

/// Opens the pool database a location names. Every command reaches the database through
/// ``PoolStore``; this is the one place that knows which backend serves which location.
enum PoolDatabase {
    /// An SQLite file (made when `create`), or a PostgreSQL database, which must exist on its
    /// server (its tables are made on first use).
    static func open(_ location: String, create: Bool, forReading: Bool = false) throws -> any PoolStore {
        switch try parse(location) {
        case .sqlite(let path):
            let store = try SQLiteStore(path: path, create: create, forReading: forReading)
            if let warning = SharedFileSystem.warning(for: path) { FileHandle.standardError.write(Data("macaudit: warning: \(warning)\n".utf8)) }
            return store
        case .postgres(let target): return try PostgresStore(target)
        }
    }

    static func parse(_ location: String) throws -> DatabaseLocation {
        do { return try DatabaseLocation.parse(location) } catch let e as DatabaseLocationError {
            throw StoreError.cannotOpen(location: e.location, reason: e.reason)
        }
    }

    /// Whether opening `location` with `create` would make a new database file.
    static func wouldCreate(_ location: String) -> Bool {
        DatabaseLocation.scheme(of: location) == nil && !FileManager.default.fileExists(atPath: location)
    }
}

extension MacAudit {
    /// `macaudit pool …`: the pools of the pool database.
    struct PoolCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pool",
            abstract: "Manage the MAC pools of the pool database.",
            subcommands: [Init.self, Add.self, Import.self, Suggest.self, List.self, Show.self, Remove.self, Reserve.self, Release.self, Reservations.self])

        struct Init: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Create the pool database (or check an existing one).")
            @OptionGroup var database: DatabaseOptions
            func run() throws {
                let store = try PoolDatabase.open(database.path, create: true)
                print("pool database ready at \(store.location) (integrity: \(try store.integrityCheck()))")
            }
        }

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Add a pool: NAME FIRST LAST (inclusive).")
            @Argument var name: String
            @Argument(help: "First MAC of the range.") var first: String
            @Argument(help: "Last MAC of the range.") var last: String
            @Option(help: "host, cluster or fleet.") var scope: String = "fleet"
            @Option var host: String?
            @Option var cluster: String?
            @Flag(help: "Add it even though it overlaps another pool or crosses an OUI boundary.") var allowOverlap = false
            @Flag(help: "Add it even though it covers reserved addresses (rules/reserved-prefixes.yaml at warning or above, the all-zero MAC).")
            var allowReserved = false
            @OptionGroup var ruleOptions: RuleOptions
            @OptionGroup var database: DatabaseOptions

            func validate() throws {
                guard let s = PoolSpec.Scope(rawValue: scope) else { throw ValidationError("Please give --scope host, cluster or fleet.") }
                if name.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("Please give the pool a name.") }
                if s == .host && host == nil { throw ValidationError("Please give --host for a host pool.") }
                if s == .cluster && cluster == nil { throw ValidationError("Please give --cluster for a cluster pool.") }
                if s == .fleet && (host != nil || cluster != nil) { throw ValidationError("Please give --scope host or cluster with --host or --cluster (a fleet pool has neither).") }
                if s == .cluster && host != nil { throw ValidationError("Please give --scope host for a pool with --host.") }
            }

            func run() throws {
                let range: MACRange
                do {
                    let a = try MACAddress(parsing: first), b = try MACAddress(parsing: last)
                    guard let r = MACRange(a, b) else { throw ValidationError("Please give FIRST at or below LAST.") }
                    range = r
                } catch let e as MACParseError { throw ValidationError("Please give MAC addresses: one \(e).") }
                let spec = PoolSpec(name: name, scope: PoolSpec.Scope(rawValue: scope)!, host: host, cluster: cluster, source: "cli", ranges: [range])
                let reserved = PoolRules.reservedRanges(try ruleOptions.load().reservedPrefixes)
                if let refusal = PoolRules.reservedRefusal(of: spec, reserved: reserved, allowReserved: allowReserved) { throw refusal }
                report(try database.open().addPool(spec, allowOverlap: allowOverlap), spec)
            }
        }

        struct Import: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Import pools from Get-VMHost, NC macPools, SCVMM pool exports and pools.yaml files (seed plans included).",
                discussion: "All or nothing: every pool of every file is imported in one transaction, or none is. Importing the same file again changes nothing.")
            @Argument(help: "Files to import.") var files: [String]
            @Option(help: "Cluster of the imported exports (default: the folder name).") var cluster: String?
            @Flag(help: "Import pools that overlap others or cross an OUI boundary.") var allowOverlap = false
            @Flag(help: "Import pools that cover reserved addresses.") var allowReserved = false
            @OptionGroup var ruleOptions: RuleOptions
            @OptionGroup var database: DatabaseOptions

            func run() throws {
                let store = try database.open()
                let reserved = PoolRules.reservedRanges(try ruleOptions.load().reservedPrefixes)
                var all: [PoolSpec] = []
                for file in files {
                    for spec in try specs(file) {
                        if let refusal = PoolRules.reservedRefusal(of: spec, reserved: reserved, allowReserved: allowReserved) {
                            throw Failure("\(file): \(refusal); nothing was imported")
                        }
                        all.append(spec)
                    }
                }
                let outcomes: [PoolAddOutcome]
                do { outcomes = try store.addPools(all, allowOverlap: allowOverlap) } catch let e as StoreError {
                    guard case .refused = e else { throw e }
                    throw Failure("\(e); nothing was imported")
                }
                for (outcome, spec) in zip(outcomes, all) { report(outcome, spec) }
            }

            /// YAML pool definitions or a JSON export, by content.
            func specs(_ file: String) throws -> [PoolSpec] {
                if !InputSet.looksLikeExport(file) { return try Rules.loadPools(file: file).map(PoolSpec.init) }
                let set = try InputSet(paths: [file], clusterOverride: cluster)
                let pools = try set.read().inventory.pools
                if pools.isEmpty { throw Failure("\(file): holds no pools (expected Get-VMHost, NC macPools, SCVMM pools or pools.yaml)") }
                return pools.map { pool in
                    var spec = PoolSpec(pool)
                    if pool.kind == .controller, let c = pool.cluster, !c.isEmpty { spec.name = "\(c)/\(pool.name)" }
                    return spec
                }
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the pools.")
            @OptionGroup var database: DatabaseOptions
            @OptionGroup var listing: ListingOptions
            func run() throws {
                let pools = try database.openForReading().pools()
                if listing.json { try listing.print(pools.map { Listing.PoolRow($0.spec) }); return }
                for pool in pools {
                    let s = pool.spec
                    let owner = [s.cluster, s.host].compactMap { $0 }.joined(separator: "/")
                    print("\(s.name.terminalSafe)\t\(s.scope.rawValue)\(owner.isEmpty ? "" : " \(owner.terminalSafe)")\t\(s.kind.rawValue)\t\(s.ranges.map(\.description).joined(separator: ", "))")
                }
                if pools.isEmpty, isatty(STDOUT_FILENO) == 1 {
                    FileHandle.standardError.write(Data("macaudit: no pools yet (`macaudit pool add` or `macaudit pool import` adds them)\n".utf8))
                }
            }
        }

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Show a pool's utilisation: in use, gone (in their grace period), reserved, free, largest free run.")
            @Argument var name: String
            @Flag(help: "Also say on stderr how long the database took to answer.") var verbose = false
            @OptionGroup var database: DatabaseOptions
            @OptionGroup var listing: ListingOptions
            func run() throws {
                let store = try database.openForReading()
                let start = DispatchTime.now().uptimeNanoseconds
                let u = try store.utilisation(ofPool: name)
                let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
                guard let pool = try store.pools().first(where: { $0.spec.name == name }) else { throw StoreError.notFound("no pool named '\(name)'") }
                if listing.json {
                    try listing.print(Listing.PoolDetail(pool: Listing.PoolRow(pool.spec), size: u.size, inUse: u.inUse, gone: u.gone, reserved: u.reserved,
                                                         free: u.free, largestFreeRun: u.largestFreeRun, nextFree: u.firstFree?.description))
                    return
                }
                print("pool \(name) (\(pool.spec.scope.rawValue), \(pool.spec.kind.rawValue)): \(pool.spec.ranges.map(\.description).joined(separator: ", "))")
                print("  size            \(u.size)")
                print("  in use          \(u.inUse)")
                print("  gone, in grace  \(u.gone)")
                print("  reserved        \(u.reserved)")
                print(String(format: "  free            %llu (%.1f%%)", u.free, u.size == 0 ? 0 : 100 * Double(u.free) / Double(u.size)))
                print("  largest free    \(u.largestFreeRun)")
                print("  next free       \(u.firstFree?.description ?? "none: the pool is full")")
                if verbose { FileHandle.standardError.write(Data(String(format: "macaudit: answered in %.1f ms\n", ms).utf8)) }
            }
        }

        struct Remove: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Remove a pool (its pending reservations are released).")
            @Argument var name: String
            @OptionGroup var database: DatabaseOptions
            func run() throws {
                try database.open().removePool(named: name)
                print("removed pool \(name)")
            }
        }

        struct Reserve: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Reserve the next free MACs of a pool, all in one transaction, never a reserved address (VRRP, the all-zero MAC …).")
            @Argument var name: String
            @Option(help: "Who the MACs are for.") var holder: String
            @Option(help: "How many MACs (all or none).") var count = 1
            @OptionGroup var ruleOptions: RuleOptions
            @OptionGroup var database: DatabaseOptions

            func validate() throws {
                if count < 1 { throw ValidationError("Please give a --count of at least 1.") }
            }

            func run() throws {
                let store = try database.open()
                let skipping = PoolRules.reservedRanges(try ruleOptions.load().reservedPrefixes).map(\.range)
                for mac in try store.reserveNext(inPool: name, holder: holder, runId: nil, count: count, skipping: skipping) { print(mac) }
            }
        }

        struct Reservations: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "List reservations (pending ones are what a plan holds for its moves), oldest first.",
                discussion: "Columns: MAC, state (pending, fulfilled, released), pool, run, when, holder key, holder as shown.")
            @Option(help: "Only this holder's (its holder key, as `history --holder` shows it).") var holder: String?
            @Flag(help: "Only pending reservations.") var pending = false
            @Option(help: ArgumentHelp("Only pending reservations older than this many days (a plan nobody applied).", valueName: "days"))
            var stale: Int?
            @OptionGroup var database: DatabaseOptions
            @OptionGroup var listing: ListingOptions
            func run() throws {
                let cutoff = stale.map { Date().addingTimeInterval(-Double($0) * 86_400) }
                let rows = try database.openForReading().reservations(holder: holder).filter { r in
                    (!pending && cutoff == nil) || (r.state == .pending && cutoff.map { r.createdAt < $0 } ?? true)
                }
                if listing.json { try listing.print(rows.map(Listing.ReservationRow.init)); return }
                for r in rows { print(Self.line(r)) }
            }

            static func line(_ r: Reservation) -> String {
                let run = r.runId.map { "run \($0)" } ?? "by hand"
                return "\(r.mac)\t\(r.state.rawValue)\t\((r.pool ?? "-").terminalSafe)\t\(run)\t\(ISO8601DateFormatter().string(from: r.createdAt))\t"
                    + "\(r.holder.terminalSafe)\t\((r.label ?? "-").terminalSafe)"
            }
        }

        struct Release: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Release a pending reservation, or with --stale DAYS every one older than that.")
            @Argument var mac: String?
            @Option(help: ArgumentHelp("Release every pending reservation older than this many days.", valueName: "days")) var stale: Int?
            @OptionGroup var database: DatabaseOptions

            func validate() throws {
                if (mac == nil) == (stale == nil) { throw ValidationError("Please give a MAC address or --stale DAYS (not both).") }
                if let stale, stale < 0 { throw ValidationError("--stale takes a number of days of 0 or more.") }
            }

            func run() throws {
                let store = try database.open()
                if let stale {
                    let released = try store.releaseStale(before: Date().addingTimeInterval(-Double(stale) * 86_400))
                    for r in released { print("released \(Reservations.line(r))") }
                    print("\(released.count) stale reservation(s) released")
                    return
                }
                guard let mac, let address = try? MACAddress(parsing: mac) else { throw ValidationError("Please give a MAC address.") }
                guard try store.release(mac: address) else {
                    let earlier = try store.reservations(holder: nil).last { $0.mac == address }
                    switch earlier?.state {
                    case .released?: throw Failure("\(address) is already released")
                    case let state?: throw Failure("\(address) has no pending reservation (its reservation is \(state.rawValue))")
                    case nil: throw Failure("\(address) was never reserved")
                    }
                }
                print("released \(address)")
            }
        }
    }
}

func report(_ outcome: PoolAddOutcome, _ spec: PoolSpec) {
    switch outcome {
    case .added: print("added \(spec.name): \(spec.ranges.map(\.description).joined(separator: ", "))")
    case .unchanged: print("unchanged \(spec.name)")
    }
}
