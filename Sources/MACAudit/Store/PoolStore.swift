import Foundation

/// The pool database: the one record of truth for which MACs exist in which pools, which are in use
/// and by whom, which are reserved by proposed fixes, and the history of audits.
///
/// The embedded implementation is SQLite (`MACAuditStore.SQLiteStore`); a fleet-wide PostgreSQL store
/// can follow behind the same protocol. Every method that writes does so in one transaction.
public protocol PoolStore: AnyObject {
    // Pools
    func addPool(_ pool: PoolSpec, allowOverlap: Bool) throws -> PoolAddOutcome
    func pools() throws -> [StoredPool]
    func removePool(named name: String) throws
    func utilisation(ofPool name: String) throws -> PoolUtilisation

    // Reservations
    /// Reserves the lowest free MAC of the pool for `holder`, in one `BEGIN IMMEDIATE` transaction.
    /// Returns nil when the pool is full. O(log n) in the number of free runs.
    func reserveNext(inPool name: String, holder: String, runId: Int64?) throws -> MACAddress?
    func reservations(holder: String?) throws -> [Reservation]
    /// Pending reservations by holder, for a plan to reuse.
    func pendingReservations() throws -> [String: MACAddress]
    /// Every MAC assigned or reserved, sorted: what a plan must not hand out.
    func usedMACs() throws -> [UInt64]
    /// Records a plan's MACs as pending reservations in one transaction. A holder that already has
    /// this MAC pending keeps its reservation; one whose earlier reservation differs has it released.
    func reserve(plan: [(holder: String, mac: MACAddress, pool: String?)], runId: Int64?) throws -> (new: Int, kept: Int)
    func release(mac: MACAddress) throws -> Bool

    // Audits
    func record(audit: AuditRecord) throws -> RunOutcome
    func runs() throws -> [RunSummary]
    func difference(from older: Int64, to newer: Int64) throws -> RunDifference

    // Baseline
    func accept(_ entry: BaselineEntry) throws
    func revoke(fingerprint: String) throws -> Bool
    func baseline() throws -> [BaselineEntry]
}

/// A pool to add: name, where it applies, and its ranges.
public struct PoolSpec: Sendable, Hashable {
    public enum Scope: String, Sendable, CaseIterable { case host, cluster, fleet }

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

/// How full a pool is.
public struct PoolUtilisation: Sendable, Equatable {
    public var size: UInt64
    public var inUse: UInt64
    public var reserved: UInt64
    public var free: UInt64
    /// The longest run of consecutive free addresses.
    public var largestFreeRun: UInt64
    /// The lowest free address, if any.
    public var firstFree: MACAddress?

    public init(size: UInt64, inUse: UInt64, reserved: UInt64, free: UInt64, largestFreeRun: UInt64, firstFree: MACAddress?) {
        self.size = size; self.inUse = inUse; self.reserved = reserved; self.free = free; self.largestFreeRun = largestFreeRun; self.firstFree = firstFree
    }
}

public struct Reservation: Sendable, Hashable {
    public enum State: String, Sendable { case pending, applied, released, expired }
    public var mac: MACAddress
    public var pool: String?
    public var holder: String
    public var runId: Int64?
    public var state: State
    public var createdAt: Date

    public init(mac: MACAddress, pool: String?, holder: String, runId: Int64?, state: State, createdAt: Date) {
        self.mac = mac; self.pool = pool; self.holder = holder; self.runId = runId; self.state = state; self.createdAt = createdAt
    }
}

/// What one audit tells the database: the run, the MACs in use, the findings.
public struct AuditRecord: Sendable {
    public var at: Date
    public var inputsDigest: String
    public var inputCount: Int
    public var clusters: Set<String>
    public var holders: [(mac: MACAddress, holder: String, kind: String, host: String, cluster: String, source: String)]
    public var findings: [Finding]

    public init(at: Date, inputsDigest: String, inputCount: Int, clusters: Set<String>,
                holders: [(mac: MACAddress, holder: String, kind: String, host: String, cluster: String, source: String)],
                findings: [Finding]) {
        self.at = at; self.inputsDigest = inputsDigest; self.inputCount = inputCount; self.clusters = clusters
        self.holders = holders; self.findings = findings
    }
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

    public init(runId: Int64, history: [String: FindingHistory], resolved: [ResolvedFinding]) {
        self.runId = runId; self.history = history; self.resolved = resolved
    }
}

public struct RunSummary: Sendable, Hashable {
    public var id: Int64
    public var at: Date
    public var inputsDigest: String
    public var inputCount: Int
    public var counts: [Severity: Int]

    public init(id: Int64, at: Date, inputsDigest: String, inputCount: Int, counts: [Severity: Int]) {
        self.id = id; self.at = at; self.inputsDigest = inputsDigest; self.inputCount = inputCount; self.counts = counts
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

/// A database problem the admin can act on: refused pools, a newer schema, a missing pool.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
