import Foundation
import Testing
@testable import MACAudit
@testable import MACAuditEngine
import MACAuditStore

/// A real SQLite store with another planner in front of it: before each reservation of a plan,
/// `otherPlanner` may take MACs of it a moment earlier (what two cron jobs starting at once do).
/// Everything else goes straight through.
final class RacedStore: PoolStore {
    let inner: SQLiteStore
    /// Called with the real store, the plan's requests and the attempt (1, 2, …) before each reservation.
    let otherPlanner: (SQLiteStore, [ReservationRequest], Int) throws -> Void
    private(set) var reserveCalls = 0

    init(_ inner: SQLiteStore, otherPlanner: @escaping (SQLiteStore, [ReservationRequest], Int) throws -> Void) {
        self.inner = inner; self.otherPlanner = otherPlanner
    }

    var location: String { inner.location }
    func integrityCheck() throws -> String { try inner.integrityCheck() }
    func addPools(_ pools: [PoolSpec], allowOverlap: Bool) throws -> [PoolAddOutcome] { try inner.addPools(pools, allowOverlap: allowOverlap) }
    func pools() throws -> [StoredPool] { try inner.pools() }
    func removePool(named name: String) throws { try inner.removePool(named: name) }
    func utilisation(ofPool name: String) throws -> PoolUtilisation { try inner.utilisation(ofPool: name) }
    func reserveNext(inPool name: String, holder: String, runId: Int64?, count: Int, skipping: [MACRange]) throws -> [MACAddress] {
        try inner.reserveNext(inPool: name, holder: holder, runId: runId, count: count, skipping: skipping)
    }
    func reservations(holder: String?) throws -> [Reservation] { try inner.reservations(holder: holder) }
    func pendingReservations() throws -> [String: MACAddress] { try inner.pendingReservations() }
    func pendingClaims() throws -> [Reservation] { try inner.pendingClaims() }
    func releaseStale(before date: Date) throws -> [Reservation] { try inner.releaseStale(before: date) }
    func recordedHolders(_ query: RecordedHolderQuery) throws -> [RecordedHolder] { try inner.recordedHolders(query) }
    func holderEvents(run: Int64?, holder: String?) throws -> [HolderEvent] { try inner.holderEvents(run: run, holder: holder) }
    func assignments(matching text: String) throws -> [Assignment] { try inner.assignments(matching: text) }
    func assignments(of mac: MACAddress) throws -> [Assignment] { try inner.assignments(of: mac) }
    func useChange(in ranges: [MACRange], after run: Int64) throws -> UseChange { try inner.useChange(in: ranges, after: run) }
    func findings(mac: MACAddress) throws -> [ResolvedFinding] { try inner.findings(mac: mac) }
    func usedMACs() throws -> [UInt64] { try inner.usedMACs() }
    func release(mac: MACAddress) throws -> Bool { try inner.release(mac: mac) }
    func record(audit: AuditRecord, findings: () throws -> [Finding]) throws -> RunOutcome { try inner.record(audit: audit, findings: findings) }
    func markReported(run: Int64) throws { try inner.markReported(run: run) }
    func runs() throws -> [RunSummary] { try inner.runs() }
    func difference(from older: Int64, to newer: Int64) throws -> RunDifference { try inner.difference(from: older, to: newer) }
    func finding(fingerprint: String) throws -> ResolvedFinding? { try inner.finding(fingerprint: fingerprint) }
    func accept(_ entry: BaselineEntry) throws { try inner.accept(entry) }
    func revoke(fingerprint: String) throws -> Bool { try inner.revoke(fingerprint: fingerprint) }
    func baseline() throws -> [BaselineEntry] { try inner.baseline() }

    func reserve(_ requests: [ReservationRequest], runId: Int64?) throws -> ReservationOutcome {
        reserveCalls += 1
        try otherPlanner(inner, requests, reserveCalls)
        return try inner.reserve(requests, runId: runId)
    }
}

/// The requests of a plan that want a MAC other than the holder's own.
func moves(_ requests: [ReservationRequest]) -> [ReservationRequest] { requests.filter { $0.mac != $0.current } }

@Suite struct PlanReservationTests {
    static func sampleStore(_ label: String) throws -> SQLiteStore {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("macaudit-race-\(label.filter { $0.isLetter })-\(UUID().uuidString)").path
        let store = try SQLiteStore(path: "\(dir)/pool.sqlite")
        _ = try store.addPool(PoolSpec(name: "fleet", scope: .fleet, source: "t", ranges: [range("02-1D-D8-00-90-00", "02-1D-D8-00-90-FF")]), allowOverlap: false)
        return store
    }

    static let rules: Rules = { (try? Rules.load(directory: Repo.rules)) ?? Rules() }()

    /// The plan that lost the race is made again around what the other planner took, and what it
    /// proposes is exactly what the database holds for it.
    @Test func aPlanThatLostTheRaceIsMadeAgainAroundTheTakenMACs() throws {
        var taken: [MACAddress] = []
        let store = RacedStore(try Self.sampleStore(#function)) { inner, requests, attempt in
            guard attempt == 1 else { return }
            let other = moves(requests).prefix(2).enumerated().map { ReservationRequest(holder: "other-planner/\($0.offset)", mac: $0.element.mac, pool: $0.element.pool) }
            let outcome = try inner.reserve(other, runId: nil)
            #expect(outcome == .reserved(new: other.count, kept: 0))
            taken = other.map(\.mac)
        }
        let report = try Audit.run(paths: [Repo.path("Captures/sample-cluster")], rules: Self.rules, store: store, baseline: [], plan: true)
        let plan = try #require(report.plan)
        #expect(store.reserveCalls == 2)
        #expect(taken.count == 2)
        let proposed = Set(plan.proposals.map(\.to))
        #expect(proposed.isDisjoint(with: taken), "proposed \(proposed), taken \(taken)")
        let pending = try store.pendingReservations()
        for p in plan.proposals { #expect(pending[p.holderKey] == p.to, "\(p.holderKey) has \(String(describing: pending[p.holderKey])), plan says \(p.to)") }
    }

    /// Another planner that wins every time: after a few attempts the audit gives up with a
    /// ``StoreError/conflict(_:)`` and leaves no reservation of its own.
    @Test func aRaceThatNeverSettlesIsAConflictAndReservesNothing() throws {
        let store = RacedStore(try Self.sampleStore(#function)) { inner, requests, attempt in
            let first = try #require(moves(requests).first)
            _ = try inner.reserve([ReservationRequest(holder: "winner/\(attempt)", mac: first.mac, pool: first.pool)], runId: nil)
        }
        #expect { _ = try Audit.run(paths: [Repo.path("Captures/sample-cluster")], rules: Self.rules, store: store, baseline: [], plan: true) } throws: {
            guard case .conflict(let why)? = $0 as? StoreError else { return false }
            return why.contains("other planners kept reserving")
        }
        #expect(store.reserveCalls == Audit.planAttempts)
        #expect(try store.reservations(holder: nil).map(\.holder) == (1...Audit.planAttempts).map { "winner/\($0)" })
    }
}

/// Paths in the source tree.
enum Repo {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
    static var rules: String { path("rules") }
}
