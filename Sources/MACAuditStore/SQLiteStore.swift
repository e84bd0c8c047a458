import Foundation
import GRDB
import MACAudit

/// The embedded pool database: one SQLite file in WAL mode, foreign keys on, every write in one
/// `BEGIN IMMEDIATE` transaction so that concurrent writers (two cron jobs, eight planners) queue
/// instead of failing or interleaving, and a process killed at any point leaves the file consistent.
public final class SQLiteStore: PoolStore, @unchecked Sendable {
    /// A pool of connections in WAL mode; a read-only snapshot (``isSnapshot``) is one immutable connection.
    let db: any DatabaseWriter
    public let path: String
    /// Whether the file was opened read-only, as an immutable snapshot: a database on a read-only
    /// file system (a ZFS or btrfs snapshot, a backup mount), where SQLite cannot keep its `-wal`
    /// and `-shm` files. Reading works; a write fails naming the read-only file system.
    public private(set) var isSnapshot = false
    /// A checkpoint running on another thread (``checkpointInBackground()``); closing waits for it.
    private let background = DispatchGroup()

    /// Closing the store (the last reference let go) waits for a background checkpoint: the file
    /// is then whole on its own, the WAL beside it empty and removed.
    deinit { background.wait() }

    /// Opens the database at `path`, migrating it when needed; with `create`, a missing file (and
    /// its folder) is created, without it a missing file is ``StoreError/notFound(_:)`` and nothing
    /// is written. Refuses a database written by a newer macaudit rather than touching it.
    /// `forReading` (commands that only read): the file is opened read-only when its schema is
    /// current, so the command neither writes nor waits for another process's write.
    public init(path: String, create: Bool = true, forReading: Bool = false) throws {
        self.path = path
        guard create || FileManager.default.fileExists(atPath: path) else {
            throw StoreError.notFound("\(path): no pool database there (`macaudit pool init --db \(path)` creates one)")
        }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                throw StoreError.cannotOpen(location: path, reason: "its folder cannot be created (\((error as NSError).localizedDescription))")
            }
        }
        try Self.refuseAnotherUsersFiles(path, directory: directory)
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(Self.busyTimeout)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")  // WAL + NORMAL: a killed process loses no commit
            try db.execute(sql: "PRAGMA cache_size = -524288")  // 512 MiB at most, used only as needed
        }
        try Self.refuseForeign(path, config)
        if forReading, let reader = try Self.reader(path, config) {
            db = reader
            return
        }
        do {
            db = try DatabasePool(path: path, configuration: config)
        } catch {
            let why = Self.whyNotOpened(path, directory: directory, error)
            guard !create, Self.folderIsReadOnly(directory), let snapshot = try Self.snapshot(path, config) else {
                throw StoreError.cannotOpen(location: path, reason: why)
            }
            db = snapshot
            isSnapshot = true
            try Self.checkSnapshotSchema(snapshot, path)
            return
        }
        let pool = db
        do {
            try Self.withFileLock(path + ".migrate-lock") {
                let migrator = Schema.migrator
                // On the writer: a reader connection opened before the migration would keep the
                // old schema's columns and fail its first read of a migrated table. Only a schema
                // that needs it is migrated: GRDB's migrate begins with a CREATE TABLE IF NOT
                // EXISTS, which waits for the write lock, and a reading command must not wait for
                // a running audit (or fail after a transaction someone left open).
                let (superseded, complete) = try pool.writeWithoutTransaction {
                    (try migrator.hasBeenSuperseded($0), try migrator.hasCompletedMigrations($0))
                }
                if superseded { throw StoreError.newerSchema(location: path) }
                if !complete { try migrator.migrate(pool) }
            }
        } catch let e as StoreError {
            throw e
        } catch {
            throw StoreError.cannotOpen(location: path, reason: Self.reason(error))
        }
    }

    public var location: String { path }

    /// The path used when `--db` is not given: `$MACAUDIT_DB`, else `$XDG_DATA_HOME/macaudit/pool.sqlite`,
    /// else `~/.local/share/macaudit/pool.sqlite`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit = environment["MACAUDIT_DB"], !explicit.isEmpty { return explicit }
        let dataHome = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) as NSString).appendingPathComponent(".local/share")
        return (dataHome as NSString).appendingPathComponent("macaudit/pool.sqlite")
    }

    /// `PRAGMA integrity_check` and `PRAGMA foreign_key_check`: "ok" when the file is sound and
    /// every row's references hold, else what is wrong.
    public func integrityCheck() throws -> String {
        try reading("the integrity check") { db in
            let pages = try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "no answer"
            guard pages == "ok" else { return pages }
            let broken = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check")
            guard broken.isEmpty else { return "\(broken.count) row(s) refer to rows that are not there (first: table \(broken[0][0] ?? "?"), row \(broken[0][1] ?? "?"))" }
            return "ok"
        }
    }

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction: it takes the write lock at once, so two
    /// processes never both read "free" and then both write. Any failure rolls the whole
    /// transaction back and comes out as a ``StoreError`` (`operation` names what was being done).
    ///
    /// With `checkingForeignKeys` false, SQLite does not look up the parent of each row written
    /// (for an audit's recording: a place and a run per assignment, more than the insert itself
    /// costs). Only for writers whose every reference is an id they read or wrote in the same
    /// transaction; `PRAGMA foreign_key_check` (``integrityCheck()``) still finds any that is not.
    ///
    /// With `checkpointing` false, the commit does not copy the WAL's pages into the database file
    /// (SQLite does so once the WAL passes 1,000 pages, inside the commit); the caller starts
    /// ``checkpointInBackground()`` instead. For a write of tens of megabytes (an audit's new
    /// holders) after which the caller still has work to do (its report).
    func immediate<T>(_ operation: String, checkingForeignKeys: Bool = true, checkpointing: Bool = true,
                      _ body: (Database) throws -> T) throws -> T {
        if isSnapshot {
            throw StoreError.failed(location: path, operation: operation, reason: "the database is on a read-only file system (opened as a read-only snapshot)")
        }
        return try mapped(operation) {
            try db.writeWithoutTransaction { db in
                // Outside a transaction (SQLite ignores the foreign-key pragma inside one), and back
                // as they were whatever happens.
                if !checkingForeignKeys { try db.execute(sql: "PRAGMA foreign_keys = OFF") }
                if !checkpointing { try db.execute(sql: "PRAGMA wal_autocheckpoint = 0") }
                defer {
                    if !checkingForeignKeys { try? db.execute(sql: "PRAGMA foreign_keys = ON") }
                    if !checkpointing { try? db.execute(sql: "PRAGMA wal_autocheckpoint = 1000") }
                }
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                guard let result else { throw StoreError.failed(location: path, operation: operation, reason: "the transaction returned nothing") }
                return result
            }
        }
    }

    /// Copies the WAL's committed pages into the database file on another thread, through the
    /// writer connection (a write started meanwhile waits for it; reads do not). A failure leaves
    /// the pages in the WAL, where every reader finds them, for the next checkpoint.
    /// `then` runs once the checkpoint is over.
    func checkpointInBackground(then: @escaping @Sendable () -> Void = {}) {
        let pool = db, group = background
        group.enter()
        DispatchQueue.global(qos: .userInitiated).async {
            defer { then(); group.leave() }
            let lap = Lap()  // under MACAUDIT_PROFILE: how long the command's last write waits for it
            defer { lap("checkpoint, in the background") }
            _ = try? pool.writeWithoutTransaction { db in
                // TRUNCATE also empties the WAL, here rather than in the command's last step (freeing
                // a first audit's 200 MB took 0.24 s there). Without waiting for another process:
                // while one reads or writes, SQLite copies what it can, as a passive checkpoint.
                try db.execute(sql: "PRAGMA busy_timeout = 0")
                defer { try? db.execute(sql: "PRAGMA busy_timeout = \(Int(SQLiteStore.busyTimeout * 1000))") }
                try db.checkpoint(.truncate)
            }
        }
    }

    /// A read in one snapshot of the database, failures as ``StoreError``.
    func reading<T>(_ operation: String, _ body: (Database) throws -> T) throws -> T {
        try mapped(operation) { try db.read(body) }
    }

    /// Lets ``StoreError`` through and wraps everything else (GRDB's `DatabaseError`, a row that
    /// does not decode) with the file and the operation.
    private func mapped<T>(_ operation: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as StoreError { throw e } catch {
            throw StoreError.failed(location: path, operation: operation, reason: Self.reason(error))
        }
    }

    /// Refuses, before SQLite touches anything, a database whose file (or `-wal`, `-shm`) this
    /// user cannot write: SQLite would fail anyway, and leave `-wal` and `-shm` files of this user's
    /// beside it that the user who runs the audits then cannot write, failing the next night's job.
    /// (On a read-only mount nothing can be left: that file is read as a snapshot.)
    static func refuseAnotherUsersFiles(_ path: String, directory: String) throws {
        guard FileManager.default.fileExists(atPath: path), !folderIsReadOnly(directory) else { return }
        for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) && access(file, W_OK) != 0 {
            var info = stat()
            let owner = stat(file, &info) == 0 ? (getpwuid(info.st_uid).map { String(cString: $0.pointee.pw_name) } ?? "uid \(info.st_uid)") : "another user"
            throw StoreError.cannotOpen(location: path, reason: "this user cannot write \(file) (it is \(owner)'s): run macaudit as the user who runs the audits, or read a copy")
        }
    }

    /// Whether the database's folder is on a read-only mount. (Only then is it opened as an
    /// immutable snapshot: a folder this user merely cannot write may be another user's live
    /// database, which an immutable connection would read torn while that user's job writes it.)
    static func folderIsReadOnly(_ directory: String) -> Bool {
        var fs = statvfs()
        return statvfs(directory.isEmpty ? "." : directory, &fs) == 0 && fs.f_flag & UInt(ST_RDONLY) != 0
    }

    /// The file at `path` opened read-only and immutable (SQLite then needs no `-shm` file), when
    /// nothing is waiting in a `-wal` file beside it: an immutable connection would not see it.
    /// Nil when there is such a WAL (the snapshot was taken while a run was being written).
    static func snapshot(_ path: String, _ base: Configuration) throws -> DatabaseQueue? {
        let wal = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
        guard wal == 0 else { return nil }
        var config = base
        config.readonly = true
        do {
            return try DatabaseQueue(path: immutableURI(path), configuration: config)
        } catch {
            throw StoreError.cannotOpen(location: path, reason: "its file system is read-only, and opening it read-only failed too: \(reason(error))")
        }
    }

    /// `path` as an SQLite URI that opens it immutable: read as it is, with no locks and no files beside it.
    static func immutableURI(_ path: String) -> String {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        let encoded = absolute.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "?#"))) ?? absolute
        return "file:\(encoded)?immutable=1"
    }

    /// A snapshot cannot be migrated: it must be of this macaudit's schema exactly.
    private static func checkSnapshotSchema(_ snapshot: DatabaseQueue, _ path: String) throws {
        if let tables = try snapshot.read(foreignTables) { throw foreign(path, tables) }
        let migrator = Schema.migrator
        let (newer, complete) = try snapshot.read { db in (try migrator.hasBeenSuperseded(db), try migrator.hasCompletedMigrations(db)) }
        if newer { throw StoreError.newerSchema(location: path) }
        guard complete else {
            throw StoreError.cannotOpen(location: path, reason: "it was written by an older macaudit and needs migrating, which a read-only file cannot take (copy it somewhere writable first)")
        }
    }

    /// Why SQLite could not open `path`, in the admin's terms where SQLite's own ("unable to open
    /// database file") does not say: a folder in its place, a read-only file system, a folder this
    /// user cannot write (SQLite keeps `-wal` and `-shm` files beside the database).
    static func whyNotOpened(_ path: String, directory: String, _ error: Error) -> String {
        let sqlite = reason(error)
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue { return "it is a folder, not a database file" }
        let folder = directory.isEmpty ? "." : directory
        if folderIsReadOnly(directory) {
            return "\(sqlite): its file system is read-only (the database needs its folder writable for its -wal and -shm files)"
        }
        if access(folder, W_OK) != 0 {
            return "\(sqlite): this user cannot write in its folder \(folder) (the database needs it for its -wal and -shm files)"
        }
        return sqlite
    }

    /// SQLite's own words for a database error (`database is locked`, `disk I/O error`), else the
    /// error's first words: a row that does not decode is named by its column, not dumped whole
    /// (one run row lists every host of a fleet).
    static func reason(_ error: Error) -> String {
        if let e = error as? DatabaseError, e.resultCode == .SQLITE_BUSY {
            return "\(e.message ?? "database is locked"): another process kept writing to it for \(Int(busyTimeout)) s "
                + "(an audit still running, or a transaction left open in a sqlite3 shell or a database browser); nothing was written"
        }
        if let e = error as? DatabaseError { return e.message ?? "\(e.resultCode)" }
        var text = "\(error)"
        if let row = text.range(of: " - row: ") { text = String(text[..<row.lowerBound]) }
        return text.count > 300 ? String(text.prefix(300)) + "…" : text
    }

    /// The file opened read-only, for a command that only reads; nil when its schema needs
    /// migrating or it cannot be opened so (the writable open then migrates it, or says why).
    ///
    /// A writable GRDB pool begins with a write of its own when the WAL is empty or missing (as it
    /// is after every audit's checkpoint), so `history` or `mac` would wait for a running audit's
    /// recording, and fail after ``busyTimeout`` behind a transaction left open in a `sqlite3`
    /// shell. A read-only connection needs no lock that a writer holds.
    static func reader(_ path: String, _ base: Configuration) throws -> DatabasePool? {
        var config = base
        config.readonly = true
        guard let pool = try? DatabasePool(path: path, configuration: config) else { return nil }
        let migrator = Schema.migrator
        guard let (superseded, complete) = try? pool.read({ (try migrator.hasBeenSuperseded($0), try migrator.hasCompletedMigrations($0)) }) else {
            return nil
        }
        if superseded { throw StoreError.newerSchema(location: path) }
        return complete ? pool : nil
    }

    /// Refuses, before anything writes to it, an existing SQLite file that holds another
    /// application's tables (`--db` pointed at the wrong file): migrating would add macaudit's
    /// tables to it, and a writable open alone would switch it to WAL mode. The file is looked at
    /// as an immutable file, which makes no `-wal` or `-shm` beside it (files of this user there
    /// could lock the other application out); one that cannot be opened so is left to the open
    /// that follows, which says why.
    static func refuseForeign(_ path: String, _ base: Configuration) throws {
        guard let size = try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int, size > 0 else { return }
        var config = base
        config.readonly = true
        guard let queue = try? DatabaseQueue(path: immutableURI(path), configuration: config) else { return }
        let tables: [String]?
        do { tables = try queue.read(foreignTables) } catch { return }
        if let tables { throw foreign(path, tables) }
    }

    /// The tables of a database that is not macaudit's: it has tables, and no migration of
    /// macaudit's was ever applied to it. Nil for macaudit's database, and for one without tables.
    static func foreignTables(_ db: Database) throws -> [String]? {
        let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
        guard !tables.isEmpty else { return nil }
        if tables.contains("grdb_migrations") {
            let ours = Set(Schema.migrator.migrations)
            if try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations").contains(where: ours.contains) { return nil }
        }
        return tables
    }

    static func foreign(_ path: String, _ tables: [String]) -> StoreError {
        let shown = tables.prefix(5).joined(separator: ", ") + (tables.count > 5 ? ", …" : "")
        return StoreError.cannotOpen(location: path, reason: "it is another application's SQLite database (tables: \(shown)), not a pool database; macaudit leaves it as it is")
    }

    /// How long a write waits for another process's write to end before it fails.
    static let busyTimeout: TimeInterval = 120

    /// Serialises first-time migration between processes that open a new file at the same moment;
    /// the lock file is removed afterwards (a process that still waits on it holds its own
    /// descriptor, and the migration itself runs in one SQLite transaction, so a late opener that
    /// makes a new lock file can only find the schema already migrated).
    static func withFileLock(_ lockPath: String, _ body: () throws -> Void) throws {
        let fd = open(lockPath, O_CREAT | O_RDWR, 0o644)
        guard fd >= 0 else { try body(); return }
        defer { close(fd) }
        flock(fd, LOCK_EX)
        defer { unlink(lockPath); flock(fd, LOCK_UN) }
        try body()
    }
}

/// Dates are stored as ISO 8601 text in UTC with milliseconds: sortable and readable in `sqlite3`.
enum StoredDate {
    static func text(_ date: Date) -> String { UTCTimestamp.text(date, milliseconds: true) }

    /// The date of a stored text; a text that is not one is an error naming the column.
    static func parse(_ text: String, _ column: String) throws -> Date {
        guard let date = date(text) else { throw StoreError.failed(location: column, operation: "reading a date", reason: "'\(text)' is not an ISO 8601 date") }
        return date
    }

    static func date(_ text: String?) -> Date? {
        guard let text else { return nil }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: text) { return d }
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: text)
    }
}

extension MACAddress {
    /// The value as SQLite stores it.
    var stored: Int64 { Int64(value) }

    /// A stored value; the schema keeps MACs within 48 bits, and anything wider is cut to them.
    init(stored: Int64) { self.init(uncheckedValue: UInt64(bitPattern: stored)) }
}
