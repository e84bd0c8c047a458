import Foundation
import Testing
@testable import MACAudit
@testable import MACAuditModel
@testable import MACAuditIngest
@testable import MACAuditEngine
@testable import MACAuditReport
import MACAuditStore

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

    static let all: [Backend] = [.sqlite]
}

func mac(_ s: String) -> MACAddress { try! MACAddress(parsing: s) }
func range(_ a: String, _ b: String) -> MACRange { MACRange(mac(a), mac(b))! }

/// A pool over eight addresses, 02-00-00-00-00-00…07.
func eightAddressPool(_ name: String = "p") -> PoolSpec {
    PoolSpec(name: name, scope: .fleet, source: "t", ranges: [range("02-00-00-00-00-00", "02-00-00-00-00-07")])
}

/// An audit that holds `macs` (adapters A, B, … on HV01 in C1) and reports `findings`.
func audit(holding macs: [String] = [], findings: [Finding] = [], clusters: Set<String> = ["C1"], at: Date = Date()) -> AuditRecord {
    let holders = macs.enumerated().map { i, m in
        (mac: mac(m), holder: "adapter \(Character(UnicodeScalar(65 + i)!))", kind: "adapter", host: "HV01", cluster: "C1", source: "a.json")
    }
    return AuditRecord(at: at, inputsDigest: "d", inputCount: 1, clusters: clusters, holders: holders, findings: findings)
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
