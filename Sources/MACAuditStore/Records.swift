import Foundation
import GRDB
import MACAudit

// One record type per table, nullability as in the schema (`Schema.swift`). Enum columns decode
// through their raw values: a value this build does not know is an error naming the table, never
// a silent default.

extension PoolSpec.Scope: DatabaseValueConvertible {}
extension PoolKind: DatabaseValueConvertible {}
extension Reservation.State: DatabaseValueConvertible {}
extension Assignment.State: DatabaseValueConvertible {}
extension HolderEvent.Kind: DatabaseValueConvertible {}
extension Severity: DatabaseValueConvertible {}

/// A row of `pool`.
struct PoolRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "pool"
    var id: Int64?
    var name: String
    var scope: PoolSpec.Scope
    var host: String?
    var cluster: String?
    var kind: PoolKind
    var source: String
    var createdAt: String

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A row of `poolRange`: one inclusive range of a pool.
struct PoolRangeRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "poolRange"
    var id: Int64?
    var poolId: Int64
    var first: Int64
    var last: Int64

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    var range: MACRange? { MACRange(MACAddress(stored: first), MACAddress(stored: last)) }
}

/// A row of `reservation`.
struct ReservationRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "reservation"
    var id: Int64?
    var mac: Int64
    var poolId: Int64?
    var holderKey: String
    var label: String?
    var runId: Int64?
    var state: Reservation.State
    var createdAt: String
    var expiresAt: String?
    /// The MAC the holder had when the plan reserved this one (its own, for a dynamic MAC made static).
    var fromMAC: Int64?
    var fulfilledRunId: Int64?

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A row of `run`: one recorded audit.
struct RunRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "run"
    var id: Int64?
    var startedAt: String
    var inputsDigest: String
    var inputCount: Int
    /// The audited clusters, one per line.
    var clusters: String
    var critical: Int
    var error: Int
    var warning: Int
    var info: Int
    /// The hosts whose adapter exports the run read, `cluster|host` one per line.
    var hosts: String
    /// 1 once the run's report was written (``AuditLog/markReported(run:)``); 0 until then.
    var reported: Int

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    func summary() throws -> RunSummary {
        RunSummary(id: id ?? 0, at: try StoredDate.parse(startedAt, "run.startedAt"), inputsDigest: inputsDigest, inputCount: inputCount,
                   counts: [.critical: critical, .error: error, .warning: warning, .info: info], reported: reported != 0)
    }
}

/// A row of `finding`: one fingerprint's life across runs.
struct FindingRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "finding"
    var fingerprint: String
    var checkId: String
    var severity: Severity
    var mac: String?
    var message: String
    var cluster: String?
    var firstRunId: Int64
    var lastRunId: Int64
    var resolvedRunId: Int64?

    var resolved: ResolvedFinding {
        ResolvedFinding(fingerprint: fingerprint, check: checkId, severity: severity, mac: mac, message: message, firstRunId: firstRunId)
    }
}

/// A row of `baseline`: an accepted finding.
struct BaselineRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "baseline"
    var fingerprint: String
    var reason: String
    var acceptedBy: String
    var acceptedAt: String
    var expiresAt: String?

    init(_ entry: BaselineEntry) {
        fingerprint = entry.id; reason = entry.reason; acceptedBy = entry.acceptedBy
        acceptedAt = StoredDate.text(entry.acceptedAt); expiresAt = entry.expires.map(StoredDate.text)
    }

    func entry() throws -> BaselineEntry {
        BaselineEntry(id: fingerprint, reason: reason, acceptedBy: acceptedBy, acceptedAt: try StoredDate.parse(acceptedAt, "baseline.acceptedAt"),
                      expires: try expiresAt.map { try StoredDate.parse($0, "baseline.expiresAt") })
    }
}
