import Testing
@testable import MACAudit
@testable import MACAuditModel
@testable import MACAuditIngest
@testable import MACAuditEngine
@testable import MACAuditReport

/// Every example in every registered check's description, as a test: the check reports exactly the
/// MACs the example lists (none for a non-triggering example), at the severity it pins.
@Suite struct CheckExampleTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let check: any Check.Type
        let example: CheckExample
        var testDescription: String { "\(check.info.id): \(example.name)" }
    }

    static let cases: [Case] = CheckRegistry.all.flatMap { c in c.info.examples.map { Case(check: c, example: $0) } }

    @Test(arguments: cases)
    func example(_ c: Case) {
        let findings = c.check.init().findings(in: c.example.snapshot, rules: c.example.rules)
        #expect(findings.allSatisfy { $0.check == c.check.info.id })
        #expect(findings.compactMap(\.macText).sorted() == c.example.triggers.sorted())
        // Each finding carries its check's remedy and names holders that exist in the snapshot.
        #expect(findings.allSatisfy { $0.remedy == c.check.info.remedy })
        let snapshot = c.example.snapshot
        #expect(findings.allSatisfy { $0.holders.allSatisfy { $0.index < snapshot.holders.count } })
        if let severity = c.example.severity {
            #expect(findings.first?.severity == severity)
        }
    }

    @Test func everyCheckHasTriggeringAndNonTriggeringExamples() {
        for check in CheckRegistry.all {
            #expect(check.info.examples.contains { !$0.triggers.isEmpty }, "\(check.info.id) has no triggering example")
            #expect(check.info.examples.contains { $0.triggers.isEmpty }, "\(check.info.id) has no non-triggering example")
        }
    }

    @Test func checkIdsAreUniqueAndKebabCase() {
        let ids = CheckRegistry.all.map { $0.info.id }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.rawValue.allSatisfy { $0.isLowercase || $0 == "-" } })
    }

    @Test func aCheckTurnedOffReportsNothing() {
        let inventory = Inventory(adapters: [Example.vm("A", "00155D010101"), Example.vm("B", "00155D010101")])
        let rules = Rules(severities: SeverityPolicy(overrides: ["duplicate-mac": Severity?.none]))
        #expect(Audit.run(inventory: inventory, rules: rules).findings.isEmpty)
    }

    @Test func aVariantOverrideWinsOverTheDefault() {
        let inventory = Inventory(adapters: [Example.vm("A", "00155D010101", cluster: "C1"), Example.vm("B", "00155D010101", host: "X", cluster: "C2")])
        let rules = Rules(severities: SeverityPolicy(overrides: ["duplicate-mac.fleet": .error]))
        #expect(Audit.run(inventory: inventory, rules: rules).findings.map(\.severity) == [.error])
    }
}

/// Finding ids are what the pool database's history and every baseline are keyed by: a change of
/// the fingerprint orphans them. One literal id per check (its first triggering example's first
/// finding), written by earlier releases; a change here must be deliberate and come with a mapping.
@Suite struct FingerprintPinTests {
    /// The ids since findings follow holder keys (a holder's key, not its host, is what is mixed in).
    static let pinned: [String: String] = [
        "duplicate-mac": "9b2d161dd9904b82", "dynamic-mac-on-sdn": "5b57fbebe3b4470a", "ethernet-mismatch": "a060954be411d92d",
        "foreign-pool-dynamic": "6a4f2227835e362d", "group-bit": "0f83ef79e9855000", "invalid-mac": "052e9043ebbd4519",
        "ip-conflict": "19bc646599d55f0f", "mac-mismatch": "b5ff67738e1e2536", "nc-orphan": "55b3ff30741d38bf",
        "out-of-pool": "ff24b09e57de64d2", "pool-exhaustion": "c174560fe2e46dec", "pool-overlap": "8f5d88b42cc7b460",
        "port-profile-mismatch": "6b761adf97790c49", "reserved-prefix": "24a66de17f3cbc75", "unmanaged-adapter": "df806bafd1f45b7b",
        "wire-duplicate": "fbca12959e5d7c15", "wire-group-source": "7d0ca1d349221185", "wire-ip-mismatch": "873a6a4a71e5def7",
        "wire-unknown-mac": "bad2240dcf7c3f66", "reservation-conflict": "71283c1ec99eaf61",
        "unregistered-oui": "63937d0ef47aa4a6", "foreign-oui": "3950d15c3af9be33",
    ]

    /// The ids earlier releases gave the same findings: ``Finding/legacyId`` must still compute them,
    /// so a database or baseline file written then is carried over.
    static let legacyPinned: [String: String] = [
        "duplicate-mac": "b412a88a69f5bbfd", "dynamic-mac-on-sdn": "ddab4ff8f8bbd81a", "ethernet-mismatch": "a060954be411d92d",
        "foreign-pool-dynamic": "9d2c313f6bddbeb2", "group-bit": "279c9e100ae9f888", "invalid-mac": "6e61d517ba7b6601",
        "ip-conflict": "19bc646599d55f0f", "mac-mismatch": "5734a782a3b118e6", "nc-orphan": "341e8ef90bfaf15a",
        "out-of-pool": "03d036e4d10433ce", "pool-exhaustion": "c174560fe2e46dec", "pool-overlap": "8f5d88b42cc7b460",
        "port-profile-mismatch": "f25f7c5b2042c371", "reserved-prefix": "602e480da03c17ad", "unmanaged-adapter": "b1f3c196f5b6358c",
        "wire-duplicate": "fbca12959e5d7c15", "wire-group-source": "7d0ca1d349221185", "wire-ip-mismatch": "85cd9efe0ca97066",
        "wire-unknown-mac": "bad2240dcf7c3f66",
    ]

    @Test func eachChecksFirstExampleKeepsItsFindingId() {
        var got: [String: String] = [:]
        for check in CheckRegistry.all {
            guard let example = check.info.examples.first(where: { !$0.triggers.isEmpty }),
                  let first = check.init().findings(in: example.snapshot, rules: example.rules).first else { continue }
            got[check.info.id.rawValue] = first.id
        }
        #expect(got.count == CheckRegistry.all.count)
        #expect(got == Self.pinned, "\(got.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \"\($0.value)\"" }.joined(separator: ", "))")
    }

    @Test func eachChecksFirstExampleStillKnowsItsLegacyId() {
        var got: [String: String] = [:]
        for check in CheckRegistry.all where Self.legacyPinned[check.info.id.rawValue] != nil {
            guard let example = check.info.examples.first(where: { !$0.triggers.isEmpty }),
                  let first = check.init().findings(in: example.snapshot, rules: example.rules).first else { continue }
            got[check.info.id.rawValue] = first.legacyId
        }
        #expect(got == Self.legacyPinned)
    }
}

/// An out-of-pool message names where the cluster's pools were defined, the database included.
@Suite struct OutOfPoolSourceTests {
    @Test func theMessageNamesWhereThePoolsCameFrom() throws {
        let range = MACRange(try MACAddress(parsing: "02-1D-D8-01-00-00"), try MACAddress(parsing: "02-1D-D8-01-0F-FF"))!
        let pools = [
            Pool(name: "tenant", range: range, kind: .defined, cluster: "C1", source: SourceLocation(path: "pool database", record: 3, line: 0)),
            Pool(name: "plan/C1/HV01", range: range, kind: .defined, host: "HV01", cluster: "C1", source: SourceLocation(path: "rules/pools.yaml", record: 1, line: 4)),
        ]
        let snapshot = Reconciler.reconcile(Inventory(adapters: [Example.vm("A", "021DD8020001")], pools: pools))
        let finding = try #require(OutOfPoolCheck().findings(in: snapshot, rules: Rules()).first)
        #expect(finding.message.hasSuffix("is outside every pool defined for cluster 'C1' (in pool database, rules/pools.yaml)"), "\(finding.message)")
    }
}
