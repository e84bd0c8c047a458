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
