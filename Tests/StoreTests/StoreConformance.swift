import Foundation
import Testing
@testable import MACAudit
@testable import MACAuditModel
@testable import MACAuditIngest
@testable import MACAuditEngine
@testable import MACAuditReport
import MACAuditStore
import MACAuditPostgres
import TestSupport

/// A pool-store backend under test: how to make a new, empty database, and how to open a second
/// connection to it (another process's view). Every conformance test runs against every backend;
/// the PostgreSQL store joins `all` with a server the tests start.
struct Backend: CustomTestStringConvertible, Sendable {
    var name: String
    /// A new empty database, and a function that opens another connection to the same one.
    var fresh: @Sendable (_ label: String) throws -> (store: any PoolStore, reopen: @Sendable () throws -> any PoolStore)

    var testDescription: String { name }

    static let sqlite = Backend(name: "sqlite") { label in
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("macaudit-conformance-\(label.filter { $0.isLetter })-\(UUID().uuidString)").path
        let path = "\(dir)/pool.sqlite"
        return (try SQLiteStore(path: path), { try SQLiteStore(path: path) })
    }

    /// A new database on the server the tests start (``PostgresServer/shared``), over TLS.
    static let postgres = Backend(name: "postgres") { label in
        let server = try PostgresServer.shared.get()
        let name = try server.createDatabase(label)
        let url = server.url(name)
        return (try PoolDatabaseOpener.open(url), { try PoolDatabaseOpener.open(url) })
    }

    static let all: [Backend] = [.sqlite, .postgres]
}

/// Opens a store by its location, as the command line does.
enum PoolDatabaseOpener {
    static func open(_ location: String) throws -> any PoolStore {
        switch try DatabaseLocation.parse(location, environment: [:]) {
        case .sqlite(let path): return try SQLiteStore(path: path)
        case .postgres(let target): return try PostgresStore(target)
        }
    }
}

func mac(_ s: String) -> MACAddress { try! MACAddress(parsing: s) }
func range(_ a: String, _ b: String) -> MACRange { MACRange(mac(a), mac(b))! }

/// A pool over eight addresses, 02-00-00-00-00-00…07.
func eightAddressPool(_ name: String = "p") -> PoolSpec {
    PoolSpec(name: name, scope: .fleet, source: "t", ranges: [range("02-00-00-00-00-00", "02-00-00-00-00-07")])
}

/// An audit that holds `macs` (adapters A, B, … on HV01 in C1, keys `adapter A`, …) and reports
/// `findings`. It covers nothing unless told (`coveringHV01`: it read HV01's adapter export).
func audit(holding macs: [String] = [], findings: [Finding] = [], clusters: Set<String> = ["C1"], coveringHV01: Bool = false,
           releaseAfter: TimeInterval = AuditRecord.defaultReleaseAfter, at: Date = Date()) -> AuditRecord {
    let holders = macs.enumerated().map { i, m in sighting("adapter \(Character(UnicodeScalar(65 + i)!))", m) }
    return AuditRecord(at: at, inputsDigest: "d", inputCount: 1,
                       coverage: Coverage(clusters: clusters, adapterHosts: coveringHV01 ? ["C1|hv01"] : [], controllerClusters: []),
                       holders: holders, findings: findings, releaseAfter: releaseAfter)
}

/// Holder `key` with `m` on `host` of `cluster`, as an audit saw it.
func sighting(_ key: String, _ m: String, host: String = "HV01", cluster: String = "C1", vm: String? = nil) -> HolderSighting {
    HolderSighting(key: key, mac: mac(m), kind: "adapter", cluster: cluster, host: host, vm: vm ?? key, name: "Network Adapter",
                   source: SourceLocation(path: "\(cluster)/adapters-\(host).json", record: 1, line: 1))
}

func finding(_ check: String, _ m: String, cluster: String = "C1") -> Finding {
    Finding(check: CheckID(check), severity: .error, mac: MACField(parsing: m), message: "\(check) \(m)",
            subjects: [Subject(kind: "adapter", cluster: cluster, host: "HV01", vm: "A")], evidence: [])
}

/// The contract of ``PoolStore``, through the protocol only: what any backend must do.
@Suite struct PoolCatalogConformance {
    @Test(arguments: Backend.all) func importingTheSamePoolTwiceChangesNothing(_ backend: Backend) throws {
        let store = try backend.fresh(#function).store
        let spec = PoolSpec(name: "HV01 dynamic", scope: .host, host: "HV01", cluster: "C1", source: "vmhosts.json", kind: .hostDynamic,
                            ranges: [range("00155D010000", "00155D0100FF")])
        #expect(try store.addPool(spec, allowOverlap: false) == .added)
        #expect(try store.addPool(spec, allowOverlap: false) == .unchanged)
        #expect(try store.pools().map(\.spec) == [spec])
    }

    @Test(arguments: Backend.all) func aPoolReadsBackAsItWasAdded(_ backend: Backend) throws {
        let store = try backend.fresh(#function).store
        let spec = PoolSpec(name: "plan/C1/N01", scope: .host, host: "N01", cluster: "C1", source: "rules/pools.yaml", kind: .defined,
                            ranges: [range("02-1D-D8-01-00-00", "02-1D-D8-01-0F-FF"), range("02-1D-D8-01-20-00", "02-1D-D8-01-20-FF")])
        _ = try store.addPool(spec, allowOverlap: false)
        let back = try #require(try store.pools().first)
        #expect(back.spec == spec)
        #expect(try store.utilisation(ofPool: spec.name) == PoolUtilisation(size: 4096 + 256, inUse: 0, reserved: 0, free: 4096 + 256,
                                                                             largestFreeRun: 4096, firstFree: mac("02-1D-D8-01-00-00")))
    }

    @Test(arguments: Backend.all) func aSameNamedPoolWithOtherRangesIsRefused(_ backend: Backend) throws {
        let store = try backend.fresh(#function).store
        _ = try store.addPool(eightAddressPool(), allowOverlap: false)
        let other = PoolSpec(name: "p", scope: .fleet, source: "t", ranges: [range("02-00-00-00-01-00", "02-00-00-00-01-FF")])
        #expect { try store.addPool(other, allowOverlap: false) } throws: { error in
            guard case .refused(let why)? = error as? StoreError else { return false }
            return why.contains("already exists")
        }
        #expect(try store.pools().map(\.spec) == [eightAddressPool()])
    }

    @Test(arguments: Backend.all) func overlapIsRefusedUnlessIntended(_ backend: Backend) throws {
        let store = try backend.fresh(#function).store
        _ = try store.addPool(PoolSpec(name: "a", scope: .fleet, source: "t", ranges: [range("02-00-00-00-00-00", "02-00-00-00-00-FF")]), allowOverlap: false)
        let b = PoolSpec(name: "b", scope: .fleet, source: "t", ranges: [range("02-00-00-00-00-80", "02-00-00-00-01-7F")])
        #expect { try store.addPool(b, allowOverlap: false) } throws: {
            $0 as? StoreError == PoolRules.overlapRefusal(b, range: b.ranges[0], other: "a", otherRange: range("02-00-00-00-00-00", "02-00-00-00-00-FF"),
                                                         allowOverlap: false)
        }
        #expect(try store.addPool(b, allowOverlap: true) == .added)
    }

    @Test(arguments: Backend.all) func groupBitAndOUICrossingAreRefusedInThePoolRulesWords(_ backend: Backend) throws {
        let store = try backend.fresh(#function).store
        let multicast = PoolSpec(name: "m", scope: .fleet, source: "t", ranges: [range("01-00-5E-00-00-00", "01-00-5E-00-00-FF")])
        let crossing = PoolSpec(name: "o", scope: .fleet, source: "t", ranges: [range("02-00-00-FF-FF-00", "02-00-01-00-00-FF")])
        #expect { try store.addPool(multicast, allowOverlap: true) } throws: { $0 as? StoreError == PoolRules.refusal(of: multicast, allowOverlap: true) }
        #expect { try store.addPool(crossing, allowOverlap: false) } throws: { $0 as? StoreError == PoolRules.refusal(of: crossing, allowOverlap: false) }
        #expect(try store.pools().isEmpty)
    }

    @Test(arguments: Backend.all) func aMissingPoolIsNotFound(_ backend: Backend) throws {
        let store = try backend.fresh(#function).store
        for attempt in [{ _ = try store.utilisation(ofPool: "nope") }, { try store.removePool(named: "nope") },
                        { _ = try store.reserveNext(inPool: "nope", holder: "h", runId: nil) }] {
            #expect { try attempt() } throws: { $0 as? StoreError == .notFound("no pool named 'nope'") }
        }
    }

    /// Several pools in one call: a refusal of any refuses all, and the earlier pools of the call
    /// count for overlap with the later ones.
    @Test(arguments: Backend.all) func poolsAreAddedAllOrNone(_ backend: Backend) throws {
        let store = try backend.fresh(#function).store
        let a = PoolSpec(name: "a", scope: .fleet, source: "t", ranges: [range("02-00-00-00-00-00", "02-00-00-00-00-FF")])
        let b = PoolSpec(name: "b", scope: .fleet, source: "t", ranges: [range("02-00-00-00-01-00", "02-00-00-00-01-FF")])
        let overlapsA = PoolSpec(name: "c", scope: .fleet, source: "t", ranges: [range("02-00-00-00-00-80", "02-00-00-00-00-8F")])
        #expect { _ = try store.addPools([a, b, overlapsA], allowOverlap: false) } throws: {
            guard case .refused(let why)? = $0 as? StoreError else { return false }
            return why.contains("overlaps pool 'a'")
        }
        #expect(try store.pools().isEmpty)
        #expect(try store.addPools([a, b], allowOverlap: false) == [.added, .added])
        #expect(try store.addPools([b, a], allowOverlap: false) == [.unchanged, .unchanged])
    }

    @Test(arguments: Backend.all) func aPoolWithoutANameIsRefused(_ backend: Backend) throws {
        let store = try backend.fresh(#function).store
        #expect { _ = try store.addPool(PoolSpec(name: " ", scope: .fleet, source: "t", ranges: [range("02-00-00-00-00-00", "02-00-00-00-00-07")]), allowOverlap: false) } throws: {
            $0 as? StoreError == .refused("a pool needs a name")
        }
    }

    @Test(arguments: Backend.all) func removingAPoolReleasesItsReservations(_ backend: Backend) throws {
        let store = try backend.fresh(#function).store
        _ = try store.addPool(eightAddressPool(), allowOverlap: false)
        _ = try store.reserveNext(inPool: "p", holder: "vm1", runId: nil)
        try store.removePool(named: "p")
        #expect(try store.pools().isEmpty)
        #expect(try store.reservations(holder: nil).map(\.state) == [.released])
        #expect(try store.usedMACs().isEmpty)
    }
}

@Suite struct ReservationBookConformance {
    @Test(arguments: Backend.all) func reservationsTakeTheLowestFreeMACAndSkipAssignedOnes(_ backend: Backend) throws {
        let store = try backend.fresh(#function).store
        _ = try store.addPool(eightAddressPool(), allowOverlap: false)
        _ = try store.record(audit: audit(holding: ["02-00-00-00-00-00", "02-00-00-00-00-02"]))
        let got = try (0..<3).map { _ in try #require(try store.reserveNext(inPool: "p", holder: "vm", runId: nil)).description }
        #expect(got == ["02-00-00-00-00-01", "02-00-00-00-00-03", "02-00-00-00-00-04"])
        #expect(try store.utilisation(ofPool: "p") == PoolUtilisation(size: 8, inUse: 2, reserved: 3, free: 3, largestFreeRun: 3,
                                                                       firstFree: mac("02-00-00-00-00-05")))
        #expect(try store.usedMACs() == ["00", "01", "02", "03", "04"].map { mac("02-00-00-00-00-\($0)").value })
    }

    @Test(arguments: Backend.all) func aFullPoolYieldsNoMAC(_ backend: Backend) throws {
        let store = try backend.fresh(#function).store
        _ = try store.addPool(eightAddressPool(), allowOverlap: false)
        for _ in 0..<8 { #expect(try store.reserveNext(inPool: "p", holder: "vm", runId: nil) != nil) }
        #expect(try store.reserveNext(inPool: "p", holder: "vm", runId: nil) == nil)
        #expect(try store.utilisation(ofPool: "p").free == 0)
    }

    /// More MACs than the pool has room for: none is reserved.
    @Test(arguments: Backend.all) func severalMACsAreReservedAllOrNone(_ backend: Backend) throws {
        let store = try backend.fresh(#function).store
        _ = try store.addPool(eightAddressPool(), allowOverlap: false)
        _ = try store.record(audit: audit(holding: ["02-00-00-00-00-03", "02-00-00-00-00-04"]))
        #expect { _ = try store.reserveNext(inPool: "p", holder: "vm", runId: nil, count: 7, skipping: []) } throws: {
            $0 as? StoreError == .refused("pool 'p' has room for 6 of the 7 MAC(s) asked for; nothing was reserved")
        }
        #expect(try store.reservations(holder: nil).isEmpty)
        #expect(try store.utilisation(ofPool: "p").free == 6)
        #expect(try store.reserveNext(inPool: "p", holder: "vm", runId: nil, count: 6, skipping: []).map(\.description)
                == ["00", "01", "02", "05", "06", "07"].map { "02-00-00-00-00-\($0)" })
    }

    /// Reserved addresses are never handed out, whatever the pool covers.
    @Test(arguments: Backend.all) func reservationsSkipReservedAddresses(_ backend: Backend) throws {
        let store = try backend.fresh(#function).store
        let vrrp = PoolSpec(name: "j", scope: .fleet, source: "t", ranges: [range("00-00-5E-00-00-FE", "00-00-5E-00-02-01")])
        _ = try store.addPool(vrrp, allowOverlap: false)
        let skipping = [range("00-00-5E-00-01-00", "00-00-5E-00-01-FF"), range("00-00-5E-00-02-00", "00-00-5E-00-02-FF")]
        #expect(try store.reserveNext(inPool: "j", holder: "h", runId: nil, count: 2, skipping: skipping).map(\.description)
                == ["00-00-5E-00-00-FE", "00-00-5E-00-00-FF"])
        #expect { _ = try store.reserveNext(inPool: "j", holder: "h", runId: nil, count: 1, skipping: skipping) } throws: {
            guard case .refused? = $0 as? StoreError else { return false }
            return true
        }
        #expect(try store.reserveNext(inPool: "j", holder: "h", skipping: skipping) == nil)
        // A skipped range that ends inside a free run: the next MAC is the one right after it.
        _ = try store.addPool(eightAddressPool(), allowOverlap: false)
        #expect(try store.reserveNext(inPool: "p", holder: "h", runId: nil, count: 3, skipping: [range("02-00-00-00-00-01", "02-00-00-00-00-02")])
                .map(\.description) == ["02-00-00-00-00-00", "02-00-00-00-00-03", "02-00-00-00-00-04"])
    }

    @Test(arguments: Backend.all) func releasingGivesTheMACBackOnce(_ backend: Backend) throws {
        let store = try backend.fresh(#function).store
        _ = try store.addPool(eightAddressPool(), allowOverlap: false)
        let macs = try (0..<8).map { _ in try #require(try store.reserveNext(inPool: "p", holder: "vm", runId: nil)) }
        for m in [macs[3], macs[5], macs[4]] { #expect(try store.release(mac: m)) }
        #expect(try store.release(mac: macs[4]) == false)
        #expect(try store.utilisation(ofPool: "p").largestFreeRun == 3)
        #expect(try store.reserveNext(inPool: "p", holder: "vm", runId: nil) == macs[3])
    }

    @Test(arguments: Backend.all) func aPlanIsReservedWholeAndAgainUnchanged(_ backend: Backend) throws {
        let store = try backend.fresh(#function).store
        _ = try store.addPool(eightAddressPool(), allowOverlap: false)
        let plan = [ReservationRequest(holder: "h1", mac: mac("02-00-00-00-00-01"), pool: "p"),
                    ReservationRequest(holder: "h2", mac: mac("02-00-00-00-00-02"), pool: "p")]
        #expect(try store.reserve(plan, runId: nil) == .reserved(new: 2, kept: 0))
        #expect(try store.reserve(plan, runId: nil) == .reserved(new: 0, kept: 2))
        #expect(try store.pendingReservations() == ["h1": mac("02-00-00-00-00-01"), "h2": mac("02-00-00-00-00-02")])
        // A holder planned onto another MAC gives the old one back.
        #expect(try store.reserve([ReservationRequest(holder: "h1", mac: mac("02-00-00-00-00-05"), pool: "p")], runId: nil) == .reserved(new: 1, kept: 0))
        #expect(try store.pendingReservations()["h1"] == mac("02-00-00-00-00-05"))
        #expect(try store.utilisation(ofPool: "p").reserved == 2)
    }

    /// Two planners that read the same free MACs: the second one's plan conflicts and nothing of it
    /// is written; it can plan again around what the first took.
    @Test(arguments: Backend.all) func aRacingPlanConflictsAllOrNothing(_ backend: Backend) throws {
        let (first, reopen) = try backend.fresh(#function)
        let second = try reopen()
        _ = try first.addPool(eightAddressPool(), allowOverlap: false)
        _ = try first.record(audit: audit(holding: ["02-00-00-00-00-06"]))
        #expect(try first.reserve([ReservationRequest(holder: "planner-1/vm", mac: mac("02-00-00-00-00-00"), pool: "p")], runId: nil)
                == .reserved(new: 1, kept: 0))
        let racing = [ReservationRequest(holder: "planner-2/vm-a", mac: mac("02-00-00-00-00-03"), pool: "p"),
                      ReservationRequest(holder: "planner-2/vm-b", mac: mac("02-00-00-00-00-00"), pool: "p"),
                      ReservationRequest(holder: "planner-2/vm-c", mac: mac("02-00-00-00-00-06"), pool: "p")]
        #expect(try second.reserve(racing, runId: nil) == .conflicts([
            ReservationConflict(mac: mac("02-00-00-00-00-00"), requestedBy: "planner-2/vm-b", heldBy: "planner-1/vm"),
            ReservationConflict(mac: mac("02-00-00-00-00-06"), requestedBy: "planner-2/vm-c", heldBy: "adapter A"),
        ]))
        #expect(try second.reservations(holder: nil).map(\.holder) == ["planner-1/vm"])
        #expect(try second.utilisation(ofPool: "p").reserved == 1)
    }

    @Test(arguments: Backend.all) func askingForTheHoldersOwnMACIsNoConflict(_ backend: Backend) throws {
        let store = try backend.fresh(#function).store
        _ = try store.record(audit: audit(holding: ["00-1D-D8-B7-1C-16"]))
        let own = ReservationRequest(holder: "Microsoft:app03", mac: mac("00-1D-D8-B7-1C-16"), pool: nil, current: mac("00-1D-D8-B7-1C-16"))
        #expect(try store.reserve([own], runId: nil) == .reserved(new: 1, kept: 0))
    }
}

@Suite struct AuditLogConformance {
    @Test(arguments: Backend.all) func findingsAreNewThenPersistingThenResolved(_ backend: Backend) throws {
        let store = try backend.fresh(#function).store
        let a = finding("duplicate-mac", "00-15-5D-01-01-01"), b = finding("group-bit", "01-15-5D-01-01-01")
        let first = try store.record(audit: audit(holding: ["00155D010101"], findings: [a, b]))
        #expect(first.history[a.id]?.status == .new)
        let second = try store.record(audit: audit(holding: ["00155D010101"], findings: [a]))
        #expect(second.history[a.id]?.status == .persisting)
        #expect(second.history[a.id]?.firstRunId == first.runId)
        #expect(second.resolved.map(\.fingerprint) == [b.id])
        let diff = try store.difference(from: first.runId, to: second.runId)
        #expect(diff.disappeared.map(\.fingerprint) == [b.id])
        #expect(diff.appeared.isEmpty && diff.persisted == 1)
        let third = try store.record(audit: audit(holding: ["00155D010101"], findings: [a, b]))
        #expect(third.history[b.id]?.status == .new)  // it came back
        #expect(try store.runs().map(\.id) == [first.runId, second.runId, third.runId])
        #expect(try store.runs().map { $0.counts[.error] } == [2, 1, 2])
    }

    /// A run recorded as not yet reported whose report then never came (a full disk, a kill): what
    /// it saw first is new again in the next run, from that run; once a run is marked reported,
    /// its findings persist as usual.
    @Test(arguments: Backend.all) func findingsFirstSeenByAnUnreportedRunAreNewAgain(_ backend: Backend) throws {
        let store = try backend.fresh(#function).store
        let old = finding("duplicate-mac", "00-15-5D-01-01-01"), fresh = finding("group-bit", "01-15-5D-01-01-01")
        let first = try store.record(audit: audit(findings: [old]))
        var lost = audit(findings: [old, fresh])
        lost.reported = false
        let second = try store.record(audit: lost)
        #expect(second.history[fresh.id]?.status == .new)
        #expect(try store.runs().map(\.reported) == [true, false])
        var pending = audit(findings: [old, fresh])
        pending.reported = false
        let third = try store.record(audit: pending)
        #expect(third.history[fresh.id]?.status == .new)
        #expect(third.history[fresh.id]?.firstRunId == third.runId)
        #expect(third.history[old.id]?.status == .persisting)  // reported by the first run
        #expect(third.history[old.id]?.firstRunId == first.runId)
        try store.markReported(run: third.runId)
        #expect(try store.runs().map(\.reported) == [true, false, true])
        let fourth = try store.record(audit: audit(findings: [old, fresh]))
        #expect(fourth.history[fresh.id]?.status == .persisting)
        #expect(fourth.history[fresh.id]?.firstRunId == third.runId)
        #expect(throws: StoreError.self) { try store.markReported(run: 99) }
    }

    /// An audit hands its findings over once its holders are written: they are the run's, counted
    /// in its summary, whatever the record said before.
    @Test(arguments: Backend.all) func findingsHandedOverAfterTheHoldersAreTheRuns(_ backend: Backend) throws {
        let store = try backend.fresh(#function).store
        let a = finding("duplicate-mac", "00-15-5D-01-01-01"), b = finding("group-bit", "01-15-5D-01-01-01")
        var asked = 0
        let run = try store.record(audit: audit(holding: ["00155D010101", "00155D010102"], findings: [b])) {
            asked += 1
            return [a]
        }
        #expect(asked == 1)
        #expect(run.history.keys.sorted() == [a.id])
        #expect(run.tally.added == 2)
        #expect(try store.runs().map { $0.counts[.error] } == [1])
        #expect(try store.finding(fingerprint: b.id) == nil)
    }

    /// Checks that fail after the holders are written leave nothing of the run: no run, no
    /// holder, no finding; the next run is recorded as if that one had never started.
    @Test(arguments: Backend.all) func aRunWhoseFindingsNeverComeKeepsNothing(_ backend: Backend) throws {
        let store = try backend.fresh(#function).store
        let kept = try store.record(audit: audit(holding: ["00155D010101"]))
        struct ChecksFailed: Error {}
        #expect(throws: (any Error).self) {
            _ = try store.record(audit: audit(holding: ["00155D010101", "00155D010102"])) { throw ChecksFailed() }
        }
        #expect(try store.runs().map(\.id) == [kept.runId])
        #expect(try store.assignments(of: mac("00-15-5D-01-01-02")).isEmpty)
        #expect(try store.assignments(of: mac("00-15-5D-01-01-01")).map(\.lastRunId) == [kept.runId])
        #expect(try store.integrityCheck() == "ok")
        let next = try store.record(audit: audit(holding: ["00155D010101"]))
        #expect(next.tally.seen == 1 && next.tally.added == 0)
    }

    /// A host's export missing tonight (late, or a folder audited one file at a time) leaves the
    /// findings of the run that read it open: tomorrow's full run reports them as persisting, not as
    /// new, so a nightly `--fail-on-new` does not mail them again. A run that reads every host
    /// the last one did resolves what it no longer finds.
    @Test(arguments: Backend.all) func aMissingHostsExportLeavesTheFindingsOpen(_ backend: Backend) throws {
        let store = try backend.fresh(#function).store
        func run(hosts: Set<String>, findings: [Finding]) throws -> RunOutcome {
            try store.record(audit: AuditRecord(at: Date(), inputsDigest: "d", inputCount: hosts.count,
                                                coverage: Coverage(clusters: ["C1"], adapterHosts: hosts, controllerClusters: []),
                                                holders: [], findings: findings, releaseAfter: AuditRecord.defaultReleaseAfter))
        }
        let both: Set<String> = ["C1|hv01", "C1|hv02"], f = finding("invalid-mac", "00-15-5D-01-01-09")
        let first = try run(hosts: both, findings: [f])
        #expect(try run(hosts: ["C1|hv01"], findings: []).resolved.isEmpty)
        let full = try run(hosts: both, findings: [f])
        #expect(full.history[f.id]?.status == .persisting)
        #expect(full.history[f.id]?.firstRunId == first.runId)
        #expect(try run(hosts: both, findings: []).resolved.map(\.fingerprint) == [f.id])
    }

    @Test(arguments: Backend.all) func aRunOfOneClusterDoesNotResolveAnothersFindings(_ backend: Backend) throws {
        let store = try backend.fresh(#function).store
        let east = finding("duplicate-mac", "00-15-5D-01-01-01", cluster: "east")
        _ = try store.record(audit: audit(findings: [east], clusters: ["east", "west"]))
        #expect(try store.record(audit: audit(clusters: ["west"])).resolved.isEmpty)
        #expect(try store.record(audit: audit(clusters: ["east"])).resolved.map(\.fingerprint) == [east.id])
    }

    @Test(arguments: Backend.all) func aRecordedFindingIsFoundByItsId(_ backend: Backend) throws {
        let store = try backend.fresh(#function).store
        let a = finding("duplicate-mac", "00-15-5D-01-01-01")
        let run = try store.record(audit: audit(findings: [a]))
        #expect(try store.finding(fingerprint: a.id) == ResolvedFinding(fingerprint: a.id, check: "duplicate-mac", severity: .error,
                                                                         mac: "00-15-5D-01-01-01", message: a.message, firstRunId: run.runId))
        #expect(try store.finding(fingerprint: "0000000000000000") == nil)
    }

    @Test(arguments: Backend.all) func aMissingRunIsNotFound(_ backend: Backend) throws {
        let store = try backend.fresh(#function).store
        let run = try store.record(audit: audit())
        #expect { _ = try store.difference(from: run.runId, to: run.runId + 1) } throws: {
            $0 as? StoreError == .notFound("no run \(run.runId + 1) in the database")
        }
    }
}

@Suite struct BaselineBookConformance {
    @Test(arguments: Backend.all) func acceptedFindingsAreAcceptedUntilTheyExpire(_ backend: Backend) throws {
        let store = try backend.fresh(#function).store
        let nlb = finding("reserved-prefix", "02-BF-0A-00-00-05")
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let entry = BaselineEntry(id: nlb.id, reason: "NLB cluster MAC", acceptedBy: "ops", acceptedAt: now, expires: now.addingTimeInterval(86_400))
        try store.accept(entry)
        #expect(try store.baseline() == [entry])
        #expect(try store.record(audit: audit(findings: [nlb], at: now)).history[nlb.id]?.status == .accepted)
        #expect(try store.record(audit: audit(findings: [nlb], at: now.addingTimeInterval(2 * 86_400))).history[nlb.id]?.status == .persisting)
        #expect(try store.revoke(fingerprint: nlb.id))
        #expect(try store.revoke(fingerprint: nlb.id) == false)
        #expect(try store.baseline().isEmpty)
    }
}

/// Every holder of every MAC, through ``HolderRegistry`` and ``AuditLog`` only.
@Suite struct HolderRegistryConformance {
    func covering(_ cluster: String, hosts: [String], holders: [HolderSighting], at: Date = Date(),
                  releaseAfter: TimeInterval = AuditRecord.defaultReleaseAfter) -> AuditRecord {
        AuditRecord(at: at, inputsDigest: "d", inputCount: 1,
                    coverage: Coverage(clusters: [cluster], adapterHosts: Set(hosts.map { "\(cluster)|\($0.lowercased())" }), controllerClusters: []),
                    holders: holders, findings: [], releaseAfter: releaseAfter)
    }

    func query(_ cluster: String, hosts: [String], macs: [String], since: Date = .distantPast) -> RecordedHolderQuery {
        RecordedHolderQuery(coverage: Coverage(clusters: [cluster], adapterHosts: Set(hosts.map { "\(cluster)|\($0.lowercased())" }), controllerClusters: []),
                            macs: macs.map { mac($0).value }.sorted(), since: since)
    }

    @Test(arguments: Backend.all) func twoHoldersOfOneMACInTwoClustersAreBothKept(_ backend: Backend) throws {
        let store = try backend.fresh(#function).store
        _ = try store.record(audit: covering("A", hosts: ["N1"], holders: [sighting("web1", "02-AA-00-00-00-01", host: "N1", cluster: "A")]))
        _ = try store.record(audit: covering("B", hosts: ["N1"], holders: [sighting("db9", "02-AA-00-00-00-01", host: "N1", cluster: "B")]))
        #expect(try store.assignments(matching: "").map { "\($0.sighting.key) \($0.state.rawValue)" }.sorted() == ["db9 live", "web1 live"])
        // Site B's audit sees site A's holder of its MAC, with where the database got it.
        let seen = try store.recordedHolders(query("B", hosts: ["N1"], macs: ["02-AA-00-00-00-01"]))
        #expect(seen.map(\.sighting.key) == ["web1"])
        #expect(seen.first?.lastRunId == 1)
        #expect(seen.first?.evidenceSource.hasSuffix("cluster A, A/adapters-N1.json") == true)
        // A MAC nobody else holds brings nobody in.
        #expect(try store.recordedHolders(query("B", hosts: ["N1"], macs: ["02-AA-00-00-00-09"])).isEmpty)
    }

    /// Another cluster's holders of the run's MACs are found whether its places span many of the
    /// run's MACs with few holders (their rows are read) or few of them with many holders (the MACs
    /// are looked up): the same holders either way, and never the audited cluster's own.
    @Test(arguments: Backend.all) func anotherClustersHoldersAreFoundWhicheverWayTheyAreRead(_ backend: Backend) throws {
        let store = try backend.fresh(#function).store
        func at(_ base: UInt64, _ offset: UInt64) -> String { MACAddress(value: base + offset)!.description }
        let wide: UInt64 = 0x02AA_0000_0000, sparse: UInt64 = 0x02AB_0000_0000
        _ = try store.record(audit: covering("A", hosts: ["N1"], holders: (0..<40).map { sighting("a\($0)", at(wide, 0x10 * UInt64($0)), host: "N1", cluster: "A") }))
        _ = try store.record(audit: covering("C", hosts: ["N1"], holders: [sighting("c-low", at(sparse, 0), host: "N1", cluster: "C"),
                                                                             sighting("c-high", at(sparse, 0xFFF), host: "N1", cluster: "C")]))
        _ = try store.record(audit: covering("B", hosts: ["N1"], holders: [sighting("b1", at(wide, 0x10), host: "N1", cluster: "B")]))
        // Three MACs inside A's forty holders' range: looked up.
        let few = try store.recordedHolders(query("B", hosts: ["N1"], macs: [at(wide, 0x10), at(wide, 0x11), at(wide, 0x12)]))
        #expect(few.map(\.sighting.key) == ["a1"])
        // Thirty-one MACs inside C's two holders' range: C's rows are read.
        let many = try store.recordedHolders(query("B", hosts: ["N1"], macs: (0..<30).map { at(sparse, 0x80 * UInt64($0)) } + [at(sparse, 0xFFF)]))
        #expect(many.map(\.sighting.key) == ["c-high", "c-low"])
        // Both at once, and MACs of nobody's.
        let both = try store.recordedHolders(query("B", hosts: ["N1"], macs: [at(wide, 0x10), at(wide, 0x270), at(sparse, 0xFFF), at(sparse, 0x1000)]))
        #expect(both.map(\.sighting.key) == ["a1", "a39", "c-high"])
    }

    @Test(arguments: Backend.all) func aHolderWhoseMACChangesKeepsBothAssignments(_ backend: Backend) throws {
        let store = try backend.fresh(#function).store
        _ = try store.record(audit: covering("C1", hosts: ["HV01"], holders: [sighting("vm", "02-00-00-00-00-01")]))
        let run = try store.record(audit: covering("C1", hosts: ["HV01"], holders: [sighting("vm", "02-00-00-00-00-02")]))
        #expect(run.events.map(\.kind) == [.macChanged])
        #expect(run.events.first?.description.hasSuffix("02-00-00-00-00-01 → 02-00-00-00-00-02 in run 2") == true)
        #expect(try store.holderEvents(run: 2, holder: "vm").map(\.kind) == [.macChanged])
        let rows = try store.assignments(matching: "vm").map { "\($0.sighting.mac) \($0.state.rawValue)" }
        #expect(rows.sorted() == ["02-00-00-00-00-01 gone", "02-00-00-00-00-02 live"])
    }

    @Test(arguments: Backend.all) func aGoneHoldersMACIsFreeOnlyAfterTheGracePeriod(_ backend: Backend) throws {
        let store = try backend.fresh(#function).store
        _ = try store.addPool(eightAddressPool(), allowOverlap: false)
        let day0 = Date(timeIntervalSince1970: 1_800_000_000)
        _ = try store.record(audit: covering("C1", hosts: ["HV01"], holders: [sighting("a", "02-00-00-00-00-00"), sighting("b", "02-00-00-00-00-01")], at: day0))
        let gone = try store.record(audit: covering("C1", hosts: ["HV01"], holders: [sighting("a", "02-00-00-00-00-00")], at: day0 + 86_400))
        #expect(gone.tally.gone == 1)
        #expect(try store.utilisation(ofPool: "p") == PoolUtilisation(size: 8, inUse: 1, gone: 1, reserved: 0, free: 6, largestFreeRun: 6,
                                                                       firstFree: mac("02-00-00-00-00-02")))
        #expect(try store.usedMACs() == [mac("02-00-00-00-00-00").value, mac("02-00-00-00-00-01").value])
        // Six days later it is still held; at seven it is released.
        let early = try store.record(audit: covering("C1", hosts: ["HV01"], holders: [sighting("a", "02-00-00-00-00-00")], at: day0 + 6 * 86_400))
        #expect(early.tally.released == 0)
        let late = try store.record(audit: covering("C1", hosts: ["HV01"], holders: [sighting("a", "02-00-00-00-00-00")], at: day0 + 8 * 86_400))
        #expect(late.tally.released == 1)
        #expect(late.events.map(\.kind) == [.released])
        let u = try store.utilisation(ofPool: "p")
        #expect((u.inUse, u.gone, u.free, u.firstFree) == (1, 0, 7, mac("02-00-00-00-00-01")))
        // It comes back: live again, held again.
        let back = try store.record(audit: covering("C1", hosts: ["HV01"], holders: [sighting("a", "02-00-00-00-00-00"), sighting("b", "02-00-00-00-00-01")], at: day0 + 9 * 86_400))
        #expect(back.tally.added == 0 && back.tally.returned == 1)
        #expect(back.events.map(\.kind) == [.returned])
        #expect(try store.utilisation(ofPool: "p").inUse == 2)
        #expect(try store.assignments(matching: "").filter { $0.sighting.mac == mac("02-00-00-00-00-01") }.map(\.state) == [.live])
    }

    /// A VM moved to another cluster, its MAC kept: the next audit of the new cluster finds its row
    /// under the old cluster and moves it (one assignment, not two), among holders new to the
    /// database whose MACs lie on both sides of it; a released row comes back to life the same way.
    @Test(arguments: Backend.all) func aHolderMovedToAnotherClusterKeepsOneAssignment(_ backend: Backend) throws {
        let store = try backend.fresh(#function).store
        _ = try store.addPool(eightAddressPool(), allowOverlap: false)
        let day0 = Date(timeIntervalSince1970: 1_800_000_000)
        func a(_ key: String, _ m: String, host: String = "N1") -> HolderSighting { sighting(key, m, host: host, cluster: "A") }
        func b(_ key: String, _ m: String) -> HolderSighting { sighting(key, m, host: "M1", cluster: "B") }
        _ = try store.record(audit: covering("A", hosts: ["N1", "N2"], holders: [
            a("hopper", "02-00-00-00-00-01", host: "N2"), a("mover", "02-00-00-00-00-03"), a("leaver", "02-00-00-00-00-05"),
            a("stayer", "02-00-00-00-00-06")], at: day0))
        // Mover and leaver are deleted and their MACs released; N2 is not read again, so hopper stays live.
        for day in 1...2 {
            _ = try store.record(audit: covering("A", hosts: ["N1"], holders: [a("stayer", "02-00-00-00-00-06")],
                                               at: day0 + Double(day) * 86_400, releaseAfter: 0))
        }
        #expect(try store.assignments(matching: "").filter { $0.state == .released }.count == 2)
        let moved = try store.record(audit: covering("B", hosts: ["M1"], holders: [
            b("hopper", "02-00-00-00-00-01"), b("new1", "02-00-00-00-00-02"), b("mover", "02-00-00-00-00-03"), b("new2", "02-00-00-00-00-04"),
            b("leaver", "02-00-00-00-00-05"), b("new3", "02-00-00-00-00-07")], at: day0 + 3 * 86_400))
        #expect(moved.tally.added == 3 && moved.tally.returned == 2 && moved.tally.seen == 1)
        #expect(moved.events.map(\.kind) == [.returned, .returned])
        let rows = try store.assignments(matching: "").map { "\($0.sighting.key) \($0.sighting.cluster) \($0.state.rawValue)" }
        #expect(rows.sorted() == ["hopper B live", "leaver B live", "mover B live", "new1 B live", "new2 B live", "new3 B live", "stayer A live"])
        #expect(try store.utilisation(ofPool: "p").inUse == 7)
        // Back where it was first seen, listed exactly as then: the place it left is compared row by
        // row (its holders changed since), and the row comes back to A.
        let back = try store.record(audit: covering("A", hosts: ["N1", "N2"], holders: [a("hopper", "02-00-00-00-00-01", host: "N2"),
                                                                                        a("stayer", "02-00-00-00-00-06")], at: day0 + 4 * 86_400))
        #expect(back.tally.added == 0 && back.tally.seen == 2)
        let hopper = try store.assignments(matching: "hopper").map { "\($0.sighting.cluster) \($0.sighting.host) \($0.state.rawValue)" }
        #expect(hopper == ["A N2 live"])
    }

    /// A holder gone from one cluster's export (its MAC still held for the grace period) and then
    /// listed by another cluster's is the same holder back: one row, live where it is now, and a
    /// `returned` event — not a silent move.
    @Test(arguments: Backend.all) func aGoneHolderListedElsewhereReturns(_ backend: Backend) throws {
        let store = try backend.fresh(#function).store
        _ = try store.addPool(eightAddressPool(), allowOverlap: false)
        let day0 = Date(timeIntervalSince1970: 1_800_000_000)
        _ = try store.record(audit: covering("A", hosts: ["N1"], holders: [sighting("vm", "02-00-00-00-00-03", host: "N1", cluster: "A"),
                                                                          sighting("stayer", "02-00-00-00-00-06", host: "N1", cluster: "A")], at: day0))
        let left = try store.record(audit: covering("A", hosts: ["N1"], holders: [sighting("stayer", "02-00-00-00-00-06", host: "N1", cluster: "A")],
                                                    at: day0 + 86_400))
        #expect(left.events.map(\.kind) == [.gone])
        let back = try store.record(audit: covering("B", hosts: ["M1"], holders: [sighting("vm", "02-00-00-00-00-03", host: "M1", cluster: "B")],
                                                    at: day0 + 2 * 86_400))
        #expect(back.events.map(\.kind) == [.returned])
        #expect(back.tally.added == 0 && back.tally.returned == 1)
        let rows = try store.assignments(matching: "").map { "\($0.sighting.key) \($0.sighting.cluster) \($0.state.rawValue)" }
        #expect(rows.sorted() == ["stayer A live", "vm B live"])
        #expect(try store.utilisation(ofPool: "p").inUse == 2)
    }

    @Test(arguments: Backend.all) func aHolderOnAHostTheRunDidNotReadStaysLive(_ backend: Backend) throws {
        let store = try backend.fresh(#function).store
        let day0 = Date(timeIntervalSince1970: 1_800_000_000)
        _ = try store.record(audit: covering("C1", hosts: ["HV01", "HV02"], holders: [sighting("a", "02-00-00-00-00-01"), sighting("late", "02-00-00-00-00-02", host: "HV02")], at: day0))
        let run = try store.record(audit: covering("C1", hosts: ["HV01"], holders: [sighting("a", "02-00-00-00-00-01")], at: day0 + 86_400))
        #expect(run.tally.gone == 0)
        #expect(try store.recordedHolders(query("C1", hosts: ["HV01"], macs: ["02-00-00-00-00-01"], since: day0)).map(\.sighting.key) == ["late"])
        // Past the horizon it takes no part any more (but is not gone: nobody read its host).
        #expect(try store.recordedHolders(query("C1", hosts: ["HV01"], macs: [], since: day0 + 3600)).isEmpty)
        #expect(try store.assignments(matching: "late").map(\.state) == [.live])
    }

    @Test(arguments: Backend.all) func theSameAuditTwiceOnlyMovesLastSeen(_ backend: Backend) throws {
        let store = try backend.fresh(#function).store
        let holders = [sighting("a", "02-00-00-00-00-01"), sighting("b", "02-00-00-00-00-02")]
        let first = try store.record(audit: covering("C1", hosts: ["HV01"], holders: holders))
        let second = try store.record(audit: covering("C1", hosts: ["HV01"], holders: holders))
        #expect(first.tally.added == 2)
        #expect(second.tally.added == 0 && second.tally.seen == 2 && second.events.isEmpty)
        #expect(try store.assignments(matching: "").allSatisfy { $0.lastRunId == 2 && $0.firstRunId == 1 && $0.state == .live })
    }

    /// Two hosts' exports listing one VM mid-migration, and places that come back after another:
    /// a holder listed twice with one MAC is one assignment; with two MACs, two; and every holder
    /// is filed at the host that listed it (a place is looked up only where the exports change).
    @Test(arguments: Backend.all) func aHolderListedTwiceInOneRunIsOneAssignment(_ backend: Backend) throws {
        let store = try backend.fresh(#function).store
        let holders = [sighting("a", "02-00-00-00-00-01"), sighting("b", "02-00-00-00-00-02", host: "HV02"),
                       sighting("a", "02-00-00-00-00-01", host: "HV02"), sighting("c", "02-00-00-00-00-03"),
                       sighting("d", "02-00-00-00-00-04", host: "HV02"), sighting("d", "02-00-00-00-00-05", host: "HV02")]
        let run = try store.record(audit: covering("C1", hosts: ["HV01", "HV02"], holders: holders))
        #expect(run.tally.added == 5)
        let rows = try store.assignments(matching: "").map { "\($0.sighting.key) \($0.sighting.mac) \($0.sighting.host) \($0.state.rawValue)" }
        #expect(rows.sorted() == ["a 02-00-00-00-00-01 HV01 live", "b 02-00-00-00-00-02 HV02 live", "c 02-00-00-00-00-03 HV01 live",
                                  "d 02-00-00-00-00-04 HV02 live", "d 02-00-00-00-00-05 HV02 live"])
        // Read again, nothing changes.
        let again = try store.record(audit: covering("C1", hosts: ["HV01", "HV02"], holders: holders))
        #expect(again.tally.added == 0 && again.tally.gone == 0 && again.events.isEmpty)
    }

    /// An NC interface is covered by its cluster's networkInterfaces export: missing from it, gone;
    /// joined to its adapter later, its own row ends and the pair's row holds the MAC.
    @Test(arguments: Backend.all) func anInterfaceIsGoneWhenItsClustersNCExportLacksIt(_ backend: Backend) throws {
        let store = try backend.fresh(#function).store
        func nic(_ id: String, _ m: String) -> HolderSighting {
            HolderSighting(key: "nc:C1/networkinterfaces/\(id)", mac: mac(m), kind: "interface", cluster: "C1", host: "", name: id,
                           interfaceId: id, source: SourceLocation(path: "C1/nc-networkInterfaces.json", record: 1, line: 1))
        }
        func ncAudit(_ holders: [HolderSighting], adapters: [String] = []) -> AuditRecord {
            AuditRecord(at: Date(), inputsDigest: "d", inputCount: 1,
                        coverage: Coverage(clusters: ["C1"], adapterHosts: Set(adapters.map { "C1|\($0.lowercased())" }), controllerClusters: ["C1"]),
                        holders: holders, findings: [])
        }
        _ = try store.record(audit: ncAudit([nic("a-nic", "02-00-00-00-00-01"), nic("b-nic", "02-00-00-00-00-02")]))
        let second = try store.record(audit: ncAudit([nic("a-nic", "02-00-00-00-00-01")]))
        #expect(second.events.map { "\($0.kind.rawValue) \($0.holder)" } == ["gone nc:C1/networkinterfaces/b-nic"])
        // a-nic's adapter is exported now: one holder under the adapter's key, the interface its alias.
        let pair = HolderSighting(key: "adapter:a", alias: "nc:C1/networkinterfaces/a-nic", mac: mac("02-00-00-00-00-01"), kind: "adapter",
                                  cluster: "C1", host: "HV01", vm: "a", name: "Network Adapter", interfaceId: "a-nic",
                                  source: SourceLocation(path: "C1/adapters-HV01.json", record: 1, line: 1))
        let third = try store.record(audit: ncAudit([pair], adapters: ["HV01"]))
        #expect(third.events.map(\.kind) == [.rekeyed])
        #expect(try store.assignments(matching: "").map { "\($0.sighting.key) \($0.state.rawValue)" }.sorted()
                == ["adapter:a live", "nc:C1/networkinterfaces/a-nic released", "nc:C1/networkinterfaces/b-nic gone"])
        #expect(try store.usedMACs().contains(mac("02-00-00-00-00-01").value))
    }

    @Test(arguments: Backend.all) func aReservationIsFulfilledWhenItsHolderHasTheMAC(_ backend: Backend) throws {
        let store = try backend.fresh(#function).store
        _ = try store.addPool(eightAddressPool(), allowOverlap: false)
        _ = try store.record(audit: covering("C1", hosts: ["HV01"], holders: [sighting("vm", "02-00-00-00-00-01")]))
        #expect(try store.reserve([ReservationRequest(holder: "vm", mac: mac("02-00-00-00-00-05"), pool: "p", current: mac("02-00-00-00-00-01"))], runId: 1)
                == .reserved(new: 1, kept: 0))
        let applied = try store.record(audit: covering("C1", hosts: ["HV01"], holders: [sighting("vm", "02-00-00-00-00-05")]))
        #expect(applied.tally.fulfilled == 1)
        #expect(try store.reservations(holder: "vm").map(\.state) == [.fulfilled])
        #expect(try store.pendingClaims().isEmpty)
        let u = try store.utilisation(ofPool: "p")
        #expect(u.size == u.inUse + u.gone + u.reserved + u.free)
    }
}

/// The pool-use history behind the HTML report's exhaustion forecast.
@Suite struct UseChangeConformance {
    @Test(arguments: Backend.all) func useChangeCountsMACsFirstHeldAndLeftAfterARun(_ backend: Backend) throws {
        let store = try backend.fresh(#function).store
        let helper = HolderRegistryConformance()
        let day0 = Date(timeIntervalSince1970: 1_800_000_000)
        func run(_ holders: [(String, String)], day: Double) throws {
            _ = try store.record(audit: helper.covering("C1", hosts: ["HV01"], holders: holders.map { sighting($0.0, $0.1) }, at: day0 + day * 86_400))
        }
        try run([("a", "02-00-00-00-00-00"), ("b", "02-00-00-00-00-01"), ("outside", "02-00-00-00-01-00")], day: 0)
        try run([("a", "02-00-00-00-00-00"), ("b", "02-00-00-00-00-01"), ("c", "02-00-00-00-00-02"), ("d", "02-00-00-00-00-03"),
                 ("outside", "02-00-00-00-01-00")], day: 10)
        try run([("a", "02-00-00-00-00-00"), ("c", "02-00-00-00-00-02"), ("d", "02-00-00-00-00-03"), ("e", "02-00-00-00-00-04"),
                 ("f", "02-00-00-00-00-04")], day: 20)
        let pool = [range("02-00-00-00-00-00", "02-00-00-00-00-07")]
        #expect(try store.useChange(in: pool, after: 1) == UseChange(appeared: 3, went: 1), "c, d and e (held twice, counted once) came; b went")
        #expect(try store.useChange(in: pool, after: 2) == UseChange(appeared: 1, went: 1))
        #expect(try store.useChange(in: pool, after: 3) == UseChange(appeared: 0, went: 0))
        #expect(try store.useChange(in: [range("02-00-00-00-01-00", "02-00-00-00-01-07")], after: 1) == UseChange(appeared: 0, went: 1))
    }
}
