import Foundation
import Testing
@testable import MACAudit
@testable import MACAuditModel
@testable import MACAuditIngest
@testable import MACAuditEngine
@testable import MACAuditReport

@Suite struct RulesTests {
    @Test func theShippedRulesLoad() throws {
        let rules = try Repo.rules
        #expect(rules.reservedPrefixes.count > 20)
        #expect(rules.pools.isEmpty)
        #expect(rules.severities.overrides.isEmpty)
    }

    @Test(arguments: [
        ("00-00-5E-00-01-0A", "VRRP IPv4 virtual router"),
        ("00-00-0C-07-AC-01", "HSRP v1 virtual MAC"),
        ("00-00-0C-9F-F0-01", "HSRP v2 virtual MAC"),
        ("02-BF-0A-00-00-05", "Windows NLB unicast cluster MAC"),
        ("00-50-56-12-34-56", "VMware (SCVMM VMware pool)"),
        ("00-50-56-AA-34-56", "VMware"),
        ("52-54-00-12-34-56", "QEMU / KVM"),
        ("06-EC-00-00-00-01", "SLAP reserved quadrant"),
        ("00-00-5E-00-53-01", "IANA documentation (unicast)"),
    ])
    func shippedReservedPrefixesNameWhatTheyMatch(_ mac: String, _ name: String) throws {
        let rules = try Repo.rules
        let address = try MACAddress(parsing: mac)
        #expect(rules.reservedPrefixes.first { $0.matches(address) }?.name == name)
    }

    @Test(arguments: ["00-15-5D-01-02-03", "00-1D-D8-B7-1C-10", "02-1D-D8-00-00-01"])
    func ordinaryVMMACsAreNotReserved(_ mac: String) throws {
        let address = try MACAddress(parsing: mac)
        #expect(try Repo.rules.reservedPrefixes.first { $0.matches(address) } == nil)
    }

    func rulesDirectory(_ files: [String: String], _ name: String = #function) throws -> String {
        let dir = try temporaryDirectory(name)
        for (file, text) in files { try write(text, to: "\(dir)/\(file)") }
        return dir
    }

    func ruleError(_ files: [String: String], _ name: String = #function) throws -> RuleError? {
        let dir = try rulesDirectory(files, name)
        do { _ = try Rules.load(directory: dir); return nil } catch let e as RuleError { return e }
    }

    @Test func anUnknownKeyIsAnErrorThatNamesIt() throws {
        let e = try #require(try ruleError(["reserved-prefixes.yaml": "version: 1\nprefixes:\n  - name: x\n    prefix: 02-BF\n    severty: error\n"]))
        #expect(e.message.contains("unknown key 'severty'"))
        #expect(e.line == 5)
    }

    @Test func anUnknownTopLevelKeyIsAnError() throws {
        let e = try #require(try ruleError(["pools.yaml": "version: 1\npool: []\n"]))
        #expect(e.message.contains("unknown key 'pool'"))
    }

    @Test func anUnknownCheckInSeveritiesIsAnError() throws {
        let e = try #require(try ruleError(["severities.yaml": "checks:\n  duplicate-macs: off\n"]))
        #expect(e.message.contains("unknown check 'duplicate-macs'"))
    }

    @Test func planYAMLSetsTheKeepOrderAndRefusesUnknownCriteria() throws {
        let dir = try rulesDirectory(["plan.yaml": "version: 1\nkeep-order:\n  - running\n  - static\n"])
        #expect(try Rules.load(directory: dir).keepOrder == KeepOrder([.running, .static]))
        let unknown = try #require(try ruleError(["plan.yaml": "version: 1\nkeep-order:\n  - static\n  - oldest-vm\n"]))
        #expect(unknown.message.contains("unknown keep-order criterion 'oldest-vm'"))
        #expect(unknown.line == 4)
        let twice = try #require(try ruleError(["plan.yaml": "keep-order: [static, static]\n"]))
        #expect(twice.message.contains("'static' twice"))
        let key = try #require(try ruleError(["plan.yaml": "keep_order: [static]\n"]))
        #expect(key.message.contains("unknown key 'keep_order'"))
        #expect(try Repo.rules.keepOrder == .standard)
    }

    @Test func aNewerRuleVersionIsRefused() throws {
        let e = try #require(try ruleError(["severities.yaml": "version: 2\nchecks: {}\n"]))
        #expect(e.message.contains("version 2"))
    }

    @Test func severitiesTurnChecksAndVariantsOffOrUp() throws {
        let dir = try rulesDirectory(["severities.yaml": "checks:\n  nc-orphan: off\n  duplicate-mac.fleet: error\n"])
        let rules = try Rules.load(directory: dir)
        #expect(rules.severities.isOff("nc-orphan"))
        #expect(rules.severities.severity(check: "duplicate-mac", variant: "fleet", default: .warning) == .error)
        #expect(rules.severities.severity(check: "duplicate-mac", variant: "switch", default: .critical) == .critical)
    }

    @Test func theSeedPlanGivesEveryHostItsOwn4096Addresses() throws {
        var hosts = "", clusters = ""
        for h in 0..<16 { hosts += "HV\(h): \(h), " }
        for c in 1...3 { clusters += "      C\(c):\n        byte: 0x0\(c)\n        hosts: { \(hosts.dropLast(2)) }\n" }
        let dir = try rulesDirectory(["pools.yaml": "version: 1\nplans:\n  - name: seed\n    prefix: 02-1D-D8\n    clusters:\n\(clusters)"])
        let pools = try Rules.load(directory: dir).pools
        #expect(pools.count == 3 * 16)
        #expect(pools.allSatisfy { $0.range.count == 4096 })
        let hv3 = try #require(pools.first { $0.cluster == "C1" && $0.host == "HV3" })
        #expect(hv3.range.description == "02-1D-D8-01-30-00…02-1D-D8-01-3F-FF")
        let snapshot = Reconciler.reconcile(Inventory(), extraPools: pools)
        #expect(PoolOverlapCheck().findings(in: snapshot, rules: Rules()).isEmpty)
    }

    @Test func aPlanReusingAHostNibbleIsRefused() throws {
        let e = try #require(try ruleError(["pools.yaml": "plans:\n  - name: p\n    prefix: 02-1D-D8\n    clusters:\n      C1:\n        byte: 1\n        hosts: { A: 1, B: 1 }\n"]))
        #expect(e.message.contains("reuses nibble 1"))
    }

    @Test func aPlanWithTheGroupBitIsRefused() throws {
        let e = try #require(try ruleError(["pools.yaml": "plans:\n  - name: p\n    prefix: 03-1D-D8\n    clusters: {}\n"]))
        #expect(e.message.contains("group"))
    }

    @Test func explicitPoolsNeedTheirScopeNamed() throws {
        let e = try #require(try ruleError(["pools.yaml": "pools:\n  - name: p\n    first: 02-00-00-00-00-00\n    last: 02-00-00-00-FF-FF\n    scope: cluster\n"]))
        #expect(e.message.contains("no 'cluster'"))
    }
}

@Suite struct ReservedPrefixIndexTests {
    /// The index answers exactly what trying every entry in file order answers.
    @Test func indexAgreesWithALinearScanOfTheShippedRules() throws {
        let prefixes = try Repo.rules.reservedPrefixes
        let index = ReservedPrefixIndex(prefixes)
        var generator = SystemRandomNumberGenerator()
        var probes: [MACAddress] = []
        for p in prefixes {
            if case .range(let r) = p.match {
                probes += [r.lower, r.upper, MACAddress(value: r.lower.value &- 1) ?? r.lower, MACAddress(value: min(r.upper.value + 1, MACAddress.maxValue))!]
            }
        }
        for _ in 0..<20_000 { probes.append(MACAddress(value: UInt64.random(in: 0...MACAddress.maxValue, using: &generator))!) }
        for mac in probes {
            #expect(index.firstMatch(mac)?.name == prefixes.first { $0.matches(mac) }?.name, "\(mac)")
        }
    }
}
