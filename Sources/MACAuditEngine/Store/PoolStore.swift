import MACAuditModel
import MACAuditIngest
import Foundation

/// The pool database: the one record of truth for which MACs exist in which pools, which are in use
/// and by whom, which are reserved by proposed fixes, and the history of audits.
///
/// The seam is split by capability, so that a command (or a test) asks only for what it uses:
/// ``PoolCatalog``, ``ReservationBook``, ``AuditLog``, ``BaselineBook`` and ``HolderRegistry``;
/// ``PoolStore`` is all five. The embedded implementation is SQLite (`MACAuditStore.SQLiteStore`); a fleet-wide
/// PostgreSQL store goes behind the same protocols and passes the same conformance suite
/// (`Tests/StoreTests/StoreConformance.swift`).
///
/// Contract for every implementation:
/// - every method that writes does so in one transaction: it happens whole or not at all;
/// - every error thrown is a ``StoreError`` (database faults wrapped with the store's location);
/// - what pools may be added is decided by ``PoolRules`` in the core, not by the backend.
public protocol PoolStore: PoolCatalog, ReservationBook, AuditLog, BaselineBook, HolderRegistry {
    /// Where the database is, for messages: a file path or a server address (never a password).
    var location: String { get }
    /// The backend's own consistency check: "ok" when sound, else what is wrong.
    func integrityCheck() throws -> String
}

/// The pools and how full they are.
public protocol PoolCatalog: AnyObject {
    /// Adds pools, all or none, in one transaction: each is added, or is already there unchanged
    /// (imports are idempotent); one that ``PoolRules`` refuses — against the stored pools and the
    /// earlier pools of the same call — refuses the whole call (``StoreError/refused(_:)``).
    func addPools(_ pools: [PoolSpec], allowOverlap: Bool) throws -> [PoolAddOutcome]
    /// Every pool, by name.
    func pools() throws -> [StoredPool]
    /// Removes a pool; its pending reservations are released (kept as history).
    func removePool(named name: String) throws
    func utilisation(ofPool name: String) throws -> PoolUtilisation
}

/// MACs set aside for holders by plans (and by hand), and what a plan must not hand out.
public protocol ReservationBook: AnyObject {
    /// Reserves the `count` lowest free MACs of the pool for `holder`, all or none, in one
    /// transaction, never one inside `skipping` (``PoolRules/reservedRanges(_:)``). A pool without
    /// room for all of them is ``StoreError/refused(_:)`` and nothing is reserved.
    func reserveNext(inPool name: String, holder: String, runId: Int64?, count: Int, skipping: [MACRange]) throws -> [MACAddress]
    func reservations(holder: String?) throws -> [Reservation]
    /// Pending reservations by holder, for a plan to reuse.
    func pendingReservations() throws -> [String: MACAddress]
    /// Every pending reservation, oldest first: what `reservation-conflict` compares the holders with.
    func pendingClaims() throws -> [Reservation]
    /// Releases the pending reservations made before `date`; returns them.
    func releaseStale(before date: Date) throws -> [Reservation]
    /// Every MAC assigned or reserved, sorted: what a plan must not hand out.
    func usedMACs() throws -> [UInt64]
    /// Reserves a plan's MACs, all or none, in one transaction. A request whose holder already has
    /// that MAC pending is kept; a holder's other pending reservation is released. A MAC that is,
    /// by the time the transaction runs, assigned or pending for another holder is a conflict:
    /// nothing is reserved and the conflicts are returned, so the planner can plan again.
    func reserve(_ requests: [ReservationRequest], runId: Int64?) throws -> ReservationOutcome
    /// Releases a pending reservation; false when the MAC had none.
    func release(mac: MACAddress) throws -> Bool
}

/// What each audit found, run by run.
public protocol AuditLog: AnyObject {
    /// Records one audit in one transaction and says, per finding, whether it is new or persisting.
    /// The run and its holders are written first; `findings` is called, on the same thread, only
    /// then, and may block: an audit starts its recording as soon as its holders are reconciled and
    /// hands the findings over when the checks are done (``AuditRecording``). Its findings replace
    /// `audit.findings`. A throw from `findings` rolls the whole recording back.
    ///
    /// A finding is *new* when no reported run saw it before this one (or it had been resolved): one
    /// first seen by a run whose report was never written (``AuditRecord/reported``) is new again,
    /// from this run.
    func record(audit: AuditRecord, findings: () throws -> [Finding]) throws -> RunOutcome
    /// Notes that run `run`'s report was written (for runs recorded with ``AuditRecord/reported`` false).
    func markReported(run: Int64) throws
    func runs() throws -> [RunSummary]
    func difference(from older: Int64, to newer: Int64) throws -> RunDifference
    /// The finding with this id as the last run that reported it recorded it; nil for an id no
    /// run ever produced.
    func finding(fingerprint: String) throws -> ResolvedFinding?
    /// Every finding recorded about `mac` (canonical text), oldest first.
    func findings(mac: MACAddress) throws -> [ResolvedFinding]
}

/// Findings accepted by an admin, with a reason and an optional expiry.
public protocol BaselineBook: AnyObject {
    func accept(_ entry: BaselineEntry) throws
    func revoke(fingerprint: String) throws -> Bool
    func baseline() throws -> [BaselineEntry]
}

extension AuditLog {
    /// Records an audit whose findings are known (``record(audit:findings:)``).
    public func record(audit: AuditRecord) throws -> RunOutcome {
        try record(audit: audit) { audit.findings }
    }
}

extension PoolCatalog {
    /// One pool (see ``addPools(_:allowOverlap:)``).
    public func addPool(_ pool: PoolSpec, allowOverlap: Bool) throws -> PoolAddOutcome {
        try addPools([pool], allowOverlap: allowOverlap)[0]
    }
}

extension ReservationBook {
    /// The lowest free MAC of the pool outside `skipping`, reserved for `holder`; nil when the pool is full.
    public func reserveNext(inPool name: String, holder: String, runId: Int64? = nil, skipping: [MACRange] = []) throws -> MACAddress? {
        do {
            return try reserveNext(inPool: name, holder: holder, runId: runId, count: 1, skipping: skipping).first
        } catch StoreError.refused {
            return nil
        }
    }
}

/// One MAC a plan wants for one holder.
public struct ReservationRequest: Sendable, Hashable {
    /// The holder's key (``HolderKey``).
    public var holder: String
    public var mac: MACAddress
    public var pool: String?
    /// The MAC the holder has now. Asking for it (a dynamic MAC made static) is no conflict with
    /// the holder's own assignment.
    public var current: MACAddress?
    /// The holder as shown, for listings.
    public var label: String?

    public init(holder: String, mac: MACAddress, pool: String?, current: MACAddress? = nil, label: String? = nil) {
        self.holder = holder; self.mac = mac; self.pool = pool; self.current = current; self.label = label
    }
}

/// A requested MAC that someone else got first.
public struct ReservationConflict: Sendable, Hashable {
    public var mac: MACAddress
    public var requestedBy: String
    /// Who has it now: the holder of an assignment or of a pending reservation.
    public var heldBy: String
    public init(mac: MACAddress, requestedBy: String, heldBy: String) { self.mac = mac; self.requestedBy = requestedBy; self.heldBy = heldBy }
}

public enum ReservationOutcome: Sendable, Equatable {
    /// Every request is reserved: `new` rows, `kept` already pending for the same holder.
    case reserved(new: Int, kept: Int)
    /// Nothing was reserved.
    case conflicts([ReservationConflict])
}

/// A pool to add: name, where it applies, and its ranges.
public struct PoolSpec: Sendable, Hashable {
    public enum Scope: String, Sendable, CaseIterable, Codable { case host, cluster, fleet }

    public var name: String
    public var scope: Scope
    public var host: String?
    public var cluster: String?
    /// Where it came from (`rules/pools.yaml`, `vmhosts.json`, `cli`), and what kind of allocator.
    public var source: String
    public var kind: PoolKind
    public var ranges: [MACRange]

    public init(name: String, scope: Scope, host: String? = nil, cluster: String? = nil, source: String, kind: PoolKind = .defined,
                ranges: [MACRange]) {
        self.name = name; self.scope = scope; self.host = host; self.cluster = cluster; self.source = source
        self.kind = kind; self.ranges = ranges
    }

    /// The spec of a pool read from an export or a rules file.
    public init(_ pool: Pool) {
        let scope: Scope = pool.host != nil ? .host : (pool.cluster != nil ? .cluster : .fleet)
        self.init(name: pool.name, scope: scope, host: pool.host, cluster: pool.cluster, source: pool.source.path,
                  kind: pool.kind, ranges: [pool.range])
    }

}

public enum PoolAddOutcome: Sendable, Equatable {
    case added
    /// The same pool (name, scope and ranges) is already there: importing twice changes nothing.
    case unchanged
}

public struct StoredPool: Sendable, Hashable {
    public var id: Int64
    public var spec: PoolSpec

    public init(id: Int64, spec: PoolSpec) {
        self.id = id; self.spec = spec
    }
}

/// How full a pool is. Each used MAC counts once, as the first of: a live holder's, a gone holder's
/// (in its grace period), a pending reservation's; so `size = inUse + gone + reserved + free`.
public struct PoolUtilisation: Sendable, Equatable {
    public var size: UInt64
    /// MACs held by live holders.
    public var inUse: UInt64
    /// MACs of gone holders still in their grace period (not free yet).
    public var gone: UInt64
    public var reserved: UInt64
    public var free: UInt64
    /// The longest run of consecutive free addresses.
    public var largestFreeRun: UInt64
    /// The lowest free address, if any.
    public var firstFree: MACAddress?

    public init(size: UInt64, inUse: UInt64, gone: UInt64 = 0, reserved: UInt64, free: UInt64, largestFreeRun: UInt64, firstFree: MACAddress?) {
        self.size = size; self.inUse = inUse; self.gone = gone; self.reserved = reserved; self.free = free; self.largestFreeRun = largestFreeRun
        self.firstFree = firstFree
    }
}

/// A MAC set aside for a holder: by a plan (`audit --plan`) or by hand (`pool reserve`).
public struct Reservation: Sendable, Hashable {
    /// `pending` until an audit sees the holder with the MAC (`fulfilled`), or until it is released.
    public enum State: String, Sendable, Codable { case pending, fulfilled, released, expired }
    public var mac: MACAddress
    public var pool: String?
    /// The holder's key (``HolderKey``), or the name given to `pool reserve --holder`.
    public var holder: String
    /// The holder as it was shown when reserved, when known.
    public var label: String?
    public var runId: Int64?
    public var state: State
    public var createdAt: Date

    public init(mac: MACAddress, pool: String?, holder: String, label: String? = nil, runId: Int64?, state: State, createdAt: Date) {
        self.mac = mac; self.pool = pool; self.holder = holder; self.label = label; self.runId = runId; self.state = state
        self.createdAt = createdAt
    }
}

/// What one audit tells the database: the run, every holder it read, what it covered, the findings.
public struct AuditRecord: Sendable {
    public var at: Date
    public var inputsDigest: String
    public var inputCount: Int
    public var coverage: Coverage
    public var clusters: Set<String> { coverage.clusters }
    /// This run's holders with a MAC (never those the database itself added to the audit).
    public var holders: HolderSightings
    public var findings: [Finding]
    /// How long a gone holder's MAC stays held before it returns to the free space.
    public var releaseAfter: TimeInterval
    /// Whether the run counts as reported once recorded (a library caller's report is the outcome
    /// itself). False when the caller writes its report afterwards and then calls
    /// ``AuditLog/markReported(run:)``: until then the run's new findings are not known to anyone.
    public var reported = true

    public init(at: Date, inputsDigest: String, inputCount: Int, coverage: Coverage, holders: HolderSightings, findings: [Finding],
                releaseAfter: TimeInterval = AuditRecord.defaultReleaseAfter) {
        self.at = at; self.inputsDigest = inputsDigest; self.inputCount = inputCount; self.coverage = coverage
        self.holders = holders; self.findings = findings; self.releaseAfter = releaseAfter
    }

    /// The same with the holders given as sightings.
    public init(at: Date, inputsDigest: String, inputCount: Int, coverage: Coverage, holders: [HolderSighting], findings: [Finding],
                releaseAfter: TimeInterval = AuditRecord.defaultReleaseAfter) {
        self.init(at: at, inputsDigest: inputsDigest, inputCount: inputCount, coverage: coverage, holders: HolderSightings(holders),
                  findings: findings, releaseAfter: releaseAfter)
    }

    /// Findings per severity, every severity present (zero when none): the run's counts.
    public var severityCounts: [Severity: Int] {
        var counts = Dictionary(uniqueKeysWithValues: Severity.allCases.map { ($0, 0) })
        for f in findings { counts[f.severity, default: 0] += 1 }
        return counts
    }

    /// 7 days: ARP caches, DHCP leases and NC references outlive a deleted VM.
    public static let defaultReleaseAfter: TimeInterval = 7 * 86_400
    /// 30 days: database holders not seen for longer take no part in audits.
    public static let defaultHorizon: TimeInterval = 30 * 86_400
}

/// What a recorded audit did to the database's holders.
public struct HolderTally: Sendable, Equatable {
    /// Assignments first seen in this run.
    public var added = 0
    /// Assignments seen again (last seen moved on).
    public var seen = 0
    public var gone = 0
    public var returned = 0
    public var released = 0
    public var rekeyed = 0
    public var fulfilled = 0
    public init() {}
}

/// A finding's history as the database knows it after a run.
public struct FindingHistory: Sendable, Hashable {
    public enum Status: String, Sendable { case new, persisting, accepted }
    public var status: Status
    public var firstRunId: Int64
    public var firstSeen: Date
    /// For accepted findings: the baseline reason.
    public var acceptedReason: String?

    public init(status: Status, firstRunId: Int64, firstSeen: Date, acceptedReason: String?) {
        self.status = status; self.firstRunId = firstRunId; self.firstSeen = firstSeen; self.acceptedReason = acceptedReason
    }
}

/// A finding that was open after the previous run and is gone now.
public struct ResolvedFinding: Sendable, Hashable {
    public var fingerprint: String
    public var check: String
    public var severity: Severity
    public var mac: String?
    public var message: String
    public var firstRunId: Int64

    public init(fingerprint: String, check: String, severity: Severity, mac: String?, message: String, firstRunId: Int64) {
        self.fingerprint = fingerprint; self.check = check; self.severity = severity; self.mac = mac; self.message = message; self.firstRunId = firstRunId
    }
}

public struct RunOutcome: Sendable {
    public var runId: Int64
    public var history: [String: FindingHistory]
    public var resolved: [ResolvedFinding]
    /// What happened to holders in this run (moves, MAC changes, gone, returned, released…).
    public var events: [HolderEvent]
    public var tally: HolderTally

    public init(runId: Int64, history: [String: FindingHistory], resolved: [ResolvedFinding], events: [HolderEvent] = [],
                tally: HolderTally = HolderTally()) {
        self.runId = runId; self.history = history; self.resolved = resolved; self.events = events; self.tally = tally
    }
}

public struct RunSummary: Sendable, Hashable {
    public var id: Int64
    public var at: Date
    public var inputsDigest: String
    public var inputCount: Int
    public var counts: [Severity: Int]
    /// Whether the run's report was written. A run recorded by a command that then failed to write
    /// its report (a full disk, a closed pipe, a kill) is not: its new findings stay new.
    public var reported: Bool

    public init(id: Int64, at: Date, inputsDigest: String, inputCount: Int, counts: [Severity: Int], reported: Bool = true) {
        self.id = id; self.at = at; self.inputsDigest = inputsDigest; self.inputCount = inputCount; self.counts = counts
        self.reported = reported
    }
}

public struct RunDifference: Sendable {
    public var older: Int64
    public var newer: Int64
    /// Fingerprints with their check, MAC and message.
    public var appeared: [ResolvedFinding]
    public var disappeared: [ResolvedFinding]
    public var persisted: Int

    public init(older: Int64, newer: Int64, appeared: [ResolvedFinding], disappeared: [ResolvedFinding], persisted: Int) {
        self.older = older; self.newer = newer; self.appeared = appeared; self.disappeared = disappeared; self.persisted = persisted
    }
}

/// An accepted finding: reported as `accepted`, no effect on the exit code, until it expires.
public struct BaselineEntry: Sendable, Hashable, Codable {
    public var id: String
    public var reason: String
    public var acceptedBy: String
    public var acceptedAt: Date
    public var expires: Date?

    public init(id: String, reason: String, acceptedBy: String, acceptedAt: Date = Date(), expires: Date? = nil) {
        self.id = id; self.reason = reason; self.acceptedBy = acceptedBy; self.acceptedAt = acceptedAt; self.expires = expires
    }

    public func isActive(at date: Date) -> Bool { expires.map { date < $0 } ?? true }
}

/// Everything a pool store throws: each case carries what the admin needs to act.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The database cannot be opened or created at `location`.
    case cannotOpen(location: String, reason: String)
    /// The schema has migrations this build does not know: a newer macaudit wrote it.
    case newerSchema(location: String)
    /// A pool, run or reservation that is not there (`no pool named 'x'`).
    case notFound(String)
    /// A write the pool rules refuse, with why.
    case refused(String)
    /// Concurrent writers took what this one planned, and retrying did not settle it.
    case conflict(String)
    /// The database failed while doing `operation` (disk full, locked too long, corrupt file).
    case failed(location: String, operation: String, reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let location, let reason): return "\(location): cannot be opened as a pool database: \(reason)"
        case .newerSchema(let location):
            return "\(location) was written by a newer macaudit (its schema has migrations this version does not know); upgrade macaudit rather than risk the data"
        case .notFound(let what): return what
        case .refused(let why): return why
        case .conflict(let why): return why
        case .failed(let location, let operation, let reason): return "\(location): \(operation) failed: \(reason)"
        }
    }
}
