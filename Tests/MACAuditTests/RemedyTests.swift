import Foundation
import Testing
@testable import MACAudit
@testable import MACAuditModel
@testable import MACAuditIngest
@testable import MACAuditEngine
@testable import MACAuditReport

/// Every finding gets a fix or a reason; the plan proves itself (`--verify`).
@Suite struct RemedyTests {
    static func sample() throws -> AuditReport {
        try Audit.run(paths: [Repo.path("Captures/sample-cluster")], rules: try Repo.rules, store: nil, baseline: [], plan: true, verify: true)
    }

    @Test func theSampleClusterHasAFixOrAReasonForEveryErrorAndThePlanVerifies() throws {
        let report = try Self.sample()
        let plan = try #require(report.plan)
        let errors = report.findings.filter { $0.severity >= .error }
        #expect(errors.count == 9)
        let answered = plan.resolvedIds.union(plan.unplaced.map(\.finding))
        for f in errors { #expect(answered.contains(f.id), "\(f.check) \(f.message) has neither a fix nor a reason") }
        let verification = try #require(plan.verification)
        #expect(verification.remaining.isEmpty, "\(verification.remaining)")
        #expect(verification.introduced.isEmpty, "\(verification.introduced.map(\.message))")

        // The cloned pair: both hosts take their ranges in the suggested plan; the ranges are disjoint.
        #expect(plan.poolChanges.map(\.host) == ["HCI-N01", "HCI-N03"])
        #expect(plan.poolChanges.allSatisfy { $0.from.description == "00-15-5D-0A-10-00…00-15-5D-0A-10-FF" && $0.to.count == 2048 })
        #expect(!plan.poolChanges[0].to.overlaps(plan.poolChanges[1].to))
        let overlap = try #require(report.findings.first { $0.check == .poolOverlap })
        #expect(plan.poolChanges.allSatisfy { $0.resolves == [overlap.id] })

        // The stale port profile: its own step, ProfileId = the interface that holds the MAC.
        #expect(plan.repairs.map(\.vmName) == ["app02"])
        #expect(plan.repairs.first?.to == "bff42d02-f230-539b-8bae-89b2a3ee5b8c")

        // The controller's MAC: adopted (app01), or made static where it is the same (app03).
        let byVM = Dictionary(plan.proposals.map { ($0.vmName ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byVM["app01"]?.to.description == "00-1D-D8-B7-1C-14" && byVM["app01"]?.pool == nil)
        #expect(byVM["app03"]?.makesStatic == true)
        for vm in ["vrrp01", "mcast01", "batch02", "migrated01", "dynvm"] { #expect(byVM[vm]?.pool?.hasPrefix("seed/sample-cluster/") == true, "\(vm)") }

        // New MACs come from no other allocator's range: not the NC pool, not a host's dynamic range.
        let foreign = report.snapshot.pools.filter { $0.kind != .defined }.map(\.range)
        for p in plan.proposals where p.pool != nil { #expect(!foreign.contains { $0.contains(p.to) }, "\(p.to) for \(p.subject.label)") }
        // …nor from the dynamic ranges the plan gives the hosts: Hyper-V gets the lower half of a
        // host's plan range, the moves come from the upper half.
        for p in plan.proposals where p.pool != nil { #expect(!plan.poolChanges.contains { $0.to.contains(p.to) }, "\(p.to)") }
        // No pools defined: the suggested plan, and the plan says so.
        #expect(plan.suggestion != nil && plan.suggestedPoolsUsed.count == 3)
        #expect(TextReport.render(report, colour: false).contains("New MACs come from the suggested plan 'seed' 02-00-00"))
        // What no machine decides: the malformed MAC gets its question.
        let invalid = try #require(report.findings.first { $0.check == .invalidMAC })
        #expect(plan.unplaced.first { $0.finding == invalid.id }?.reason.contains("truncated or hand-edited") == true)
    }

    @Test func theScriptsCarryTheRangeChangeWithItsRollbackAndTheProfileRepair() throws {
        let report = try Self.sample()
        let scripts = Dictionary(uniqueKeysWithValues: PowerShellScripts.render(try #require(report.plan), generatedAt: "t", runId: nil).map { ($0.host, $0) })
        let n01 = try #require(scripts["HCI-N01"]), n03 = try #require(scripts["HCI-N03"])
        #expect(n01.apply.contains("Invoke-MacauditRangeStep @{ Step = 'range 1' } '00155D0A1000' '00155D0A10FF' '020000000000' '0200000007FF' -Record"))
        #expect(n01.rollback.contains("Invoke-MacauditRangeStep @{ Step = 'range 1' } '020000000000' '0200000007FF' $before.minimum $before.maximum"))
        #expect(n03.apply.contains("'020000002000' '0200000027FF' -Record"))
        // The range changes before any move of the host; rollback undoes in the opposite order.
        let range = try #require(n01.apply.range(of: "# range 1:")), move = try #require(n01.apply.range(of: "# move 1:"))
        #expect(range.lowerBound < move.lowerBound)
        let undoRange = try #require(n01.rollback.range(of: "# range 1:")), undoMove = try #require(n01.rollback.range(of: "# move 1:"))
        #expect(undoMove.lowerBound < undoRange.lowerBound)
        // app02's repair: found {8cff…}, set {bff4…}; its VM keeps running (the adapter's MAC stays).
        #expect(n03.apply.contains("@{ Mac = '001DD8B71C15'; Dynamic = $false; ProfileId = '8cff593b-36d5-522e-8987-3690756055e6' }"))
        #expect(n03.apply.contains("@{ Mac = '001DD8B71C15'; Dynamic = $false; ProfileId = 'bff42d02-f230-539b-8bae-89b2a3ee5b8c' } -Record"))
    }

    /// 336 adapters on 8 hosts with the seed plan in the rules: 189 NC-managed MACs inside the NC
    /// pool, 51 dynamic MACs inside their own host's range, 8 host vNICs with their physical NIC's
    /// MAC, 88 static MACs inside the plan (its upper half, where the planner's static MACs go).
    static func fleet336(strict: Bool) -> (Inventory, Rules) {
        var adapters: [Adapter] = [], interfaces: [ControllerInterface] = [], profiles: [PortProfile] = [], pools: [Pool] = []
        pools.append(Pool(name: "DefaultMacPool", range: Example.range("00-1D-D8-B7-1C-00", "00-1D-D8-B7-1F-FF"), kind: .controller, cluster: "HCI"))
        var nc = 0, dynamic = 0, planned = 0
        for h in 0..<8 {
            let host = "HCI-N0\(h + 1)"
            pools.append(Pool(name: "\(host) dynamic", range: Example.range(String(format: "00155D0A%X000", h + 1), String(format: "00155D0A%X0FF", h + 1)),
                              kind: .hostDynamic, host: host, cluster: "HCI"))
            var record = 0
            func adapter(_ vm: String?, _ mac: UInt64, dynamic: Bool?, vnic: Bool = false) {
                record += 1
                adapters.append(Adapter(host: host, cluster: "HCI", vmName: vm, name: vnic ? "SMB" : "Network Adapter",
                                        id: "Microsoft:\(host)-\(record)", mac: .valid(MACAddress(value: mac)!), dynamicMAC: dynamic,
                                        isManagementOS: vnic, source: SourceLocation(path: "\(host).json", record: record, line: record)))
            }
            adapter(nil, 0xB883_0358_9100 + UInt64(h), dynamic: nil, vnic: true)
            for _ in 0..<24 where nc < 189 {
                let mac = 0x001D_D8B7_1C00 + UInt64(nc), vm = "tenant\(nc)"
                adapter(vm, mac, dynamic: false)
                interfaces.append(ControllerInterface(resourceId: "\(vm)-nic", cluster: "HCI", instanceId: "inst-\(nc)", mac: .valid(MACAddress(value: mac)!)))
                profiles.append(PortProfile(host: host, cluster: "HCI", vmName: vm, mac: .valid(MACAddress(value: mac)!), profileId: "inst-\(nc)"))
                nc += 1
            }
            for i in 0..<7 where dynamic < 51 { adapter("dyn\(dynamic)", 0x0015_5D0A_0000 + UInt64(h + 1) << 12 + UInt64(i + 1), dynamic: true); dynamic += 1 }
            for i in 0..<11 where planned < 88 { adapter("plan\(planned)", PoolPlan.range(prefix: 0x021DD8, clusterByte: 1, hostNibble: UInt8(h)).lower.value + 0x800 + UInt64(i), dynamic: false); planned += 1 }
        }
        let plan = PoolPlan(name: "seed", prefix: 0x021DD8, clusters: [.init(name: "HCI", byte: 1, hosts: (0..<8).map { ("HCI-N0\($0 + 1)", UInt8($0)) })],
                            strict: strict)
        var rules = Rules(pools: plan.pools(source: SourceLocation(path: "pools.yaml", record: 1, line: 1)))
        rules.plans = [plan]
        return (Inventory(adapters: adapters, portProfiles: profiles, interfaces: interfaces, pools: pools), rules)
    }

    @Test func definingAPlanTurnsNoGoodMACIntoAMove() throws {
        let (inventory, rules) = Self.fleet336(strict: false)
        #expect(inventory.adapters.count == 336)
        let report = Audit.run(inventory: inventory, rules: rules)
        #expect(report.findings.filter { $0.check == .outOfPool }.isEmpty, "\(report.findings.filter { $0.check == .outOfPool }.prefix(3).map(\.message))")
        let plan = Planner.plan(report.snapshot, findings: report.findings, rules: rules)
        #expect(plan.proposals.isEmpty && plan.poolChanges.isEmpty)
    }

    @Test func aStrictPlanIsAStagedRollout() throws {
        let (inventory, rules) = Self.fleet336(strict: true)
        let report = Audit.run(inventory: inventory, rules: rules)
        let outOfPool = report.findings.filter { $0.check == .outOfPool }
        #expect(outOfPool.count == 189 + 51, "the NC-managed and dynamic MACs; not the host vNICs, not the plan's own")
        var plan = Planner.plan(report.snapshot, findings: report.findings, rules: rules)
        // Host ranges first: every host's dynamic range becomes its plan range.
        #expect(plan.poolChanges.count == 8)
        for c in plan.poolChanges {
            let nibble = UInt8(c.host.last!.wholeNumberValue! - 1)
            let range = PoolPlan.range(prefix: 0x021DD8, clusterByte: 1, hostNibble: nibble)
            #expect(c.to == MACRange(range.lower, MACAddress(value: range.lower.value + 0x7FF)!), "Hyper-V gets the lower half")
        }
        // Moves grouped per host, with counts; nothing moved that needs no move.
        #expect(plan.proposals.count == 240)
        #expect(Set(plan.proposals.map(\.vmName)).isDisjoint(with: (0..<88).map { "plan\($0)" }))
        #expect(plan.stages.map(\.moves).reduce(0, +) == 240 && plan.stages.allSatisfy { $0.poolChanges == 1 })
        for p in plan.proposals {
            let nibble = UInt8(p.host.last!.wholeNumberValue! - 1)
            let range = PoolPlan.range(prefix: 0x021DD8, clusterByte: 1, hostNibble: nibble)
            #expect(range.contains(p.to) && p.to.value >= range.lower.value + 0x800, "\(p.to) for \(p.host): the upper half")
        }
        plan.verification = PlanVerifier.verify(plan, .init(inventory: inventory, snapshot: report.snapshot, findings: report.findings, rules: rules))
        #expect(plan.verification?.remaining.isEmpty == true)
        #expect(plan.verification?.introduced.isEmpty == true, "\(plan.verification?.introduced.prefix(3).map(\.message) ?? [])")
    }

    @Test func verificationSeesAMoveOntoAMACInUse() throws {
        // The verifier applies the plan to the very inventory the snapshot was reconciled from.
        let inventory = try InputSet(paths: [Repo.path("Captures/sample-cluster")]).read().inventory
        let rules = try Repo.rules
        let report = Audit.run(inventory: inventory, rules: rules)
        var plan = Planner.plan(report.snapshot, findings: report.findings, rules: rules)
        let inputs = PlanVerifier.Inputs(inventory: inventory, snapshot: report.snapshot, findings: report.findings, rules: rules)
        #expect(PlanVerifier.verify(plan, inputs).introduced.isEmpty)
        let i = try #require(plan.proposals.firstIndex { $0.vmName == "vrrp01" })
        plan.proposals[i].to = try MACAddress(parsing: "00-1D-D8-B7-1C-10")  // web01's MAC
        let v = PlanVerifier.verify(plan, inputs)
        #expect(v.introduced.contains { $0.check == .duplicateMAC && $0.macText == "00-1D-D8-B7-1C-10" })
    }

    @Test func anNCManagedHolderNeverGetsAMACInsideAnNCPool() throws {
        // A fleet pool that covers the NC pool: the move skips the NC pool's addresses.
        let ncPool = Example.ncPool("DefaultMacPool", "02-1D-D8-00-00-00", "02-1D-D8-00-0F-FF")
        let inventory = Inventory(
            adapters: [Example.vm("A", "001DD8B71C21", host: "HV01"), Example.vm("B", "001DD8B71C21", host: "HV02")],
            portProfiles: [Example.profile("A", "001DD8B71C21", instance: "inst-a-nic"), Example.profile("B", "001DD8B71C21", instance: "inst-b-nic")],
            interfaces: [Example.nic("a-nic", "001DD8B71C21"), Example.nic("b-nic", "001DD8B71C21")], pools: [ncPool])
        let rules = Rules(pools: [Pool(name: "fleet", range: Example.range("02-1D-D8-00-00-00", "02-1D-D8-00-FF-FF"), kind: .defined)])
        let report = Audit.run(inventory: inventory, rules: rules)
        let plan = Planner.plan(report.snapshot, findings: report.findings, rules: rules)
        #expect(plan.proposals.count == 1)
        #expect(plan.proposals.first?.to.description == "02-1D-D8-00-10-00")
        #expect(plan.proposals.first?.interfaceResourceId != nil, "the interface is set Static with the plan's MAC")
    }

    @Test func aDuplicateOfUnjoinedInterfacesAndAdaptersAsksWhichIsWhose() throws {
        // Two VMs and two NC interfaces on one MAC, no port profiles: which interface is whose is
        // unknown, and moving an adapter off its own interface's MAC would make a mismatch.
        let inventory = Inventory(adapters: [Example.vm("A", "021DD8000010", host: "HV01"), Example.vm("B", "021DD8000010", host: "HV02")],
                                  interfaces: [Example.nic("a-nic", "021DD8000010"), Example.nic("b-nic", "021DD8000010")])
        let rules = Rules()
        let report = Audit.run(inventory: inventory, rules: rules)
        let duplicate = try #require(report.findings.first { $0.check == .duplicateMAC })
        let plan = Planner.plan(report.snapshot, findings: report.findings, rules: rules)
        #expect(plan.proposals.isEmpty)
        #expect(plan.unplaced.first { $0.finding == duplicate.id }?.reason.contains("no port profile says which interface") == true)
        let v = PlanVerifier.verify(plan, .init(inventory: inventory, snapshot: report.snapshot, findings: report.findings, rules: rules))
        #expect(v.introduced.isEmpty && v.remaining.isEmpty)
    }

    @Test func anOverlapOfTwoControllerPoolsAsksWhichToChange() {
        let inventory = Inventory(pools: [Example.ncPool("a", "001DD8B71C00", "001DD8B71CFF"), Example.ncPool("b", "001DD8B71C80", "001DD8B71DFF")])
        let report = Audit.run(inventory: inventory, rules: Rules())
        let plan = Planner.plan(report.snapshot, findings: report.findings, rules: Rules())
        #expect(plan.poolChanges.isEmpty)
        #expect(plan.unplaced.count == 1 && plan.unplaced[0].reason.contains("which of"))
    }

    @Test func aStaleProfileWithoutAnyInterfaceAsksWhichInterfaceIsTheAdapters() {
        let inventory = Inventory(adapters: [Example.vm("A", "001DD8B71C21")], portProfiles: [Example.profile("A", "001DD8B71C21", instance: "gone")],
                                  interfaces: [Example.nic("other", "001DD8B71C99")])
        let report = Audit.run(inventory: inventory, rules: Rules())
        let plan = Planner.plan(report.snapshot, findings: report.findings, rules: Rules())
        #expect(plan.repairs.isEmpty)
        #expect(plan.unplaced.contains { $0.reason.hasPrefix("no NC interface holds the adapter's MAC") })
    }
}

/// The plan `pool suggest` designs.
@Suite struct PoolDesignerTests {
    static func places(_ clusters: [String: Int]) -> [PoolDesigner.Place] {
        clusters.flatMap { c, n in (0..<n).map { PoolDesigner.Place(cluster: c, host: "\(c)-N\(String(format: "%02d", $0 + 1))") } }
    }

    @Test func theSuggestedPrefixOverlapsNothingInUseAndIsAAI() throws {
        let pools = [Example.ncPool("nc", "02-00-00-00-00-00", "02-00-00-00-FF-FF")]  // an NC pool in 02-00-00
        let stray: UInt64 = 0x0200_0105_0000  // a holder in 02-00-01, outside every range the design gives
        let rules = Rules(reservedPrefixes: [ReservedPrefix(name: "x", match: .range(ReservedPrefix.range(prefix: "02-00-02")!), severity: .warning, reason: "x")])
        let design = PoolDesigner.suggest(places: Self.places(["A": 3, "B": 2]), rules: rules, pools: pools, used: [stray])
        let plan = try #require(design.plans.first)
        #expect(design.plans.count == 1)
        #expect(plan.prefix == 0x02_00_03, "02-00-00 has an NC pool, 02-00-01 a stray holder, 02-00-02 is reserved")
        #expect(PoolDesigner.problem(with: plan.prefix) == nil)
        #expect(plan.clusters.map(\.name) == ["A", "B"] && plan.clusters.map(\.byte) == [0, 1])
        #expect(plan.clusters[0].hosts.map(\.nibble) == [0, 1, 2])
        // The same inputs, the same design; a holder inside a range the design gives does not move it.
        let holder = PoolPlan.range(prefix: 0x02_00_03, clusterByte: 0, hostNibble: 1).lower.value + 5
        let again = PoolDesigner.suggest(places: Self.places(["A": 3, "B": 2]), rules: rules, pools: pools, used: [stray, holder])
        #expect(again.plans == design.plans)
    }

    @Test func entriesOfTheRulesKeepTheirBytesAndNibblesAndNewOnesAreAppended() throws {
        var rules = Rules()
        rules.plans = [PoolPlan(name: "seed", prefix: 0x021DD8, clusters: [.init(name: "B", byte: 7, hosts: [("B-N02", 3)])])]
        let design = PoolDesigner.suggest(places: Self.places(["A": 1, "B": 2]), rules: rules, pools: [], used: [])
        let plan = try #require(design.plans.first)
        #expect(design.plans.count == 1 && plan.prefix == 0x021DD8)
        let b = try #require(plan.clusters.first { $0.name == "B" }), a = try #require(plan.clusters.first { $0.name == "A" })
        #expect(b.byte == 7 && b.hosts.map(\.name) == ["B-N02", "B-N01"] && b.hosts.map(\.nibble) == [3, 0])
        #expect(a.byte == 0)
        #expect(design.suggestedPools.map(\.name).sorted() == ["seed/A/A-N01", "seed/B/B-N01"])
    }

    @Test func pastSixteenHostsAreLeftOutAndPast256ClustersASecondPlanOpens() throws {
        let big = PoolDesigner.suggest(places: Self.places(["A": 18]), rules: Rules(), pools: [], used: [])
        #expect(big.plans[0].clusters[0].hosts.count == 16)
        #expect(big.leftOut.count == 2 && big.leftOut[0].hasPrefix("host A-N17 of cluster A"))
        let many = (0..<300).map { PoolDesigner.Place(cluster: String(format: "C%03d", $0), host: "h") }
        let wide = PoolDesigner.suggest(places: many, rules: Rules(), pools: [], used: [])
        #expect(wide.plans.map(\.clusters.count) == [256, 44])
        #expect(wide.plans[0].prefix != wide.plans[1].prefix && !wide.plans[0].span.overlaps(wide.plans[1].span))
    }

    @Test func thePoolsFileReadsBackAsWritten() throws {
        let plan = PoolPlan(name: "seed \"1\"", prefix: 0x021DD8, clusters: [.init(name: "yes", byte: 0x10, hosts: [("0x10", 0), ("HV'2", 15)])], strict: true)
        let pool = Pool(name: "lab", range: Example.range("02-AA-00-00-00-00", "02-AA-00-00-FF-FF"), kind: .defined, cluster: "C1", strict: true)
        let text = PoolsFile.render(pools: [pool], plans: [plan])
        let rules = try Rules.parse("pools.yaml", text: text, file: "pools.yaml", severityKeys: [])
        #expect(rules.plans == [plan] && rules.plans[0].strict)
        #expect(PoolsFile.explicitPools(rules).map { [$0.name, $0.range.description, $0.cluster ?? "", "\($0.strict)"] }
                == [["lab", pool.range.description, "C1", "true"]])
    }
}
