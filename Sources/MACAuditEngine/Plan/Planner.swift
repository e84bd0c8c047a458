import MACAuditModel
import MACAuditIngest
/// Decides the fix of every finding it can and says why for the rest, deterministically (same
/// inputs, same plan):
///
/// - **Range changes** for `pool-overlap` of a host's dynamic range (hosts cloned from one image),
///   and for every host of a `strict` plan: each such host's dynamic range becomes the lower half of
///   its range in the seed plan (`Set-VMHost -MacAddressMinimum/-Maximum`; ``dynamicRange(in:)``),
///   and VM adapters whose dynamic MAC came from a clashing range get static MACs from the upper half.
/// - **Moves** for the findings whose check's remedy is ``Remedy/move`` or ``Remedy/adoptController``.
///   Who keeps a duplicated MAC follows the rules' ``KeepOrder`` (`rules/plan.yaml`); everyone else
///   moves. `mac-mismatch` and `dynamic-mac-on-sdn` adopt the controller's MAC when nothing else holds it.
/// - **Profile repairs** for `port-profile-mismatch`: ProfileId = the NC interface that holds the MAC.
/// - For the rest at error or above, the question a person must answer (``CheckInfo/question``).
///
/// Where a new MAC comes from, first that applies: a pool defined for the holder's host (the seed
/// plan's per-host range), one defined for its cluster, a fleet-wide defined pool, and else the
/// host's range in the plan ``PoolDesigner`` suggests (the plan says so). Never from another
/// allocator's range — a Hyper-V host's dynamic range, an NC macPool, an SCVMM pool — even for an
/// NC-managed holder: no documentation says the Network Controller keeps a Static MAC written inside
/// its macPool out of its later Dynamic allocations, so a MAC picked there could be handed out again.
/// The NC-managed holder's interface is set Static with the plan's MAC instead, which the pool
/// database reserves and the nightly audit keeps checking.
///
/// A new MAC collides with nothing: no adapter, NC interface or wire station holds it, the pool
/// database has no assignment or reservation of it (`alsoUsed`), no reserved prefix covers it, its
/// group bit is clear, and no other proposal of this plan took it. Where no pool has room, the
/// finding is listed as unplaced and no MAC is invented.
public enum Planner {
    /// - Parameters:
    ///   - alsoUsed: MACs the pool database knows as assigned or reserved.
    ///   - pending: MACs reserved by an earlier plan that is still pending, by holder key
    ///     (``holderKey(_:)``): a holder that still needs a move gets the same MAC again.
    ///   - accepted: ids of findings a baseline accepts: they are not fixed.
    public static func plan(_ snapshot: Snapshot, findings: [Finding], rules: Rules, alsoUsed: [UInt64] = [],
                            pending: [String: MACAddress] = [:], accepted: Set<String> = []) -> Plan {
        let active = findings.filter { $0.severity >= .warning && !accepted.contains($0.id) }
        let places = PoolDesigner.places(snapshot)
        let suggestion = needsDesign(places, snapshot, active)
            ? PoolDesigner.suggest(places: places, rules: rules, pools: snapshot.pools, used: designUsed(snapshot, alsoUsed))
            : PoolSuggestion(plans: rules.plans, leftOut: [], added: [], unchanged: rules.plans)
        var allocator = Allocator(snapshot: snapshot, rules: rules, alsoUsed: alsoUsed, suggested: suggestion.suggestedPools)
        var unplaced: [Unplaced] = []
        var moves = Moves()

        let ranges = rangeChanges(active, snapshot, allocator: allocator)
        allocator.avoid(ranges.changes.map(\.to))
        unplaced += ranges.unplaced
        for (h, resolves) in ranges.movers { for id in resolves { moves.add(h, finding: id, check: .poolOverlap, remedy: .move) } }
        collectMoves(active, snapshot, rules, into: &moves, unplaced: &unplaced)

        var proposals: [Proposal] = []
        for move in moves.ordered {
            let h = move.holder
            let reasons = Set(move.checks).map(\.rawValue).sorted().joined(separator: ", ")
            if move.remedies.allSatisfy({ $0 == .adoptController }), let adopted = adoptControllerMAC(h, allocator: &allocator) {
                let what = h.mac.address == adopted ? "make the MAC static (the Network Controller's)" : "align with the Network Controller"
                proposals.append(proposal(h, to: adopted, pool: nil, resolves: move.resolves, reason: what))
                continue
            }
            if !pending.isEmpty, let earlier = pending[holderKey(h)], allocator.holderCount(earlier.value) == 0, !allocator.isProposed(earlier.value) {
                allocator.propose(earlier.value)
                proposals.append(proposal(h, to: earlier, pool: nil, resolves: move.resolves, reason: reasons + " (reserved by an earlier plan)"))
                continue
            }
            switch allocator.allocate(for: h) {
            case .success(let (mac, pool)):
                proposals.append(proposal(h, to: mac, pool: pool.name, resolves: move.resolves, reason: reasons))
            case .failure(let reason):
                unplaced += move.resolves.map { Unplaced(finding: $0, subject: h.subject, reason: reason.message) }
            }
        }
        let repairs = profileRepairs(active, snapshot, unplaced: &unplaced)
        var plan = Plan(proposals: proposals, repairs: repairs, poolChanges: ranges.changes, unplaced: unplaced)
        plan.unplaced += questions(active, snapshot, answered: plan.resolvedIds.union(unplaced.map(\.finding)))
        plan.unplaced.sort { ($0.finding, $0.subject) < ($1.finding, $1.subject) }
        let suggestedPools = suggestion.suggestedPools
        if !suggestedPools.isEmpty {
            let used = Set(proposals.compactMap(\.pool) + ranges.changes.map(\.planPool))
            plan.suggestedPoolsUsed = suggestedPools.map(\.name).filter(used.contains)
        }
        if !plan.suggestedPoolsUsed.isEmpty { plan.suggestion = suggestion }
        return plan
    }

    /// Whether the plan may need pools the rules do not define: a host no defined pool serves, or,
    /// when host ranges are to change (an overlap, a strict plan), a host without a pool of its own.
    /// Designing costs a sort of every MAC in use; a fleet whose rules cover it skips it.
    static func needsDesign(_ places: [PoolDesigner.Place], _ snapshot: Snapshot, _ findings: [Finding]) -> Bool {
        let defined = snapshot.pools.filter { $0.kind == .defined }
        let served = Served(defined)
        if places.contains(where: { !served.covers(host: $0.host, cluster: $0.cluster) }) { return true }
        guard findings.contains(where: { $0.check == .poolOverlap }) || defined.contains(where: \.strict) else { return false }
        let owned = Set(defined.compactMap { p in p.host.map { HostName.key($0) } })
        return snapshot.pools.contains { $0.kind == .hostDynamic && !owned.contains(HostName.key($0.host ?? "")) }
    }

    /// What the design of a suggested plan must avoid: every holder's MAC and the database's.
    public static func designUsed(_ snapshot: Snapshot, _ alsoUsed: [UInt64]) -> [UInt64] {
        snapshot.holders.compactMap { $0.mac.address?.value } + (snapshot.wire?.table.stations.map(\.mac.value) ?? []) + alsoUsed
    }

    /// The holders each finding with a MAC-changing remedy moves (a duplicate: all but the keeper).
    static func collectMoves(_ findings: [Finding], _ snapshot: Snapshot, _ rules: Rules, into moves: inout Moves, unplaced: inout [Unplaced]) {
        let wire = WireEvidence(snapshot.wire)
        for finding in findings where finding.remedy.changesMAC {
            guard let value = finding.mac.address?.value else { continue }
            let holders = finding.holders.map { snapshot.holders[$0.index] }.filter { $0.mac.address?.value == value }
            // Holders that share the MAC (a duplicate): the first in keep order keeps it. A holder of a
            // cluster this run does not audit (from the pool database) is that cluster's to fix: it
            // keeps its MAC, and only this run's holders move.
            if let question = unjoined(holders) {
                unplaced.append(Unplaced(finding: finding.id, subject: finding.subjects.first ?? holders[0].subject, reason: question))
                continue
            }
            var movers = holders.count > 1 ? Array(keepOrder(holders, rules.keepOrder, wire: wire).dropFirst()) : holders
            if holders.contains(where: { !snapshot.isAudited($0) }) { movers = holders.filter { snapshot.isAudited($0) } }
            for h in movers {
                if let reason = cannotMove(h) {
                    unplaced.append(Unplaced(finding: finding.id, subject: h.subject, reason: reason))
                    continue
                }
                moves.add(h, finding: finding.id, check: finding.check, remedy: finding.remedy)
            }
        }
    }

    /// The range changes `pool-overlap` findings of host dynamic ranges call for, what they cannot
    /// fix, and the VM adapters whose dynamic MAC came from a clashing range (with the findings their
    /// move resolves).
    static func rangeChanges(_ findings: [Finding], _ snapshot: Snapshot, allocator: Allocator)
        -> (changes: [PoolChange], unplaced: [Unplaced], movers: [(Holder, [String])]) {
        var changes: [String: PoolChange] = [:], unplaced: [Unplaced] = []
        for f in findings where f.check == .poolOverlap {
            let pools = f.subjects.filter { $0.kind == "pool" }.compactMap { s in
                snapshot.pools.first { $0.name == s.name && $0.host == s.host && $0.cluster == s.cluster }
            }
            let hostPools = pools.filter { $0.kind == .hostDynamic }
            guard !hostPools.isEmpty else {
                let names = pools.map { "'\($0.name)' (\($0.source.path))" }.joined(separator: " and ")
                unplaced.append(Unplaced(finding: f.id, subject: f.subjects.first ?? Subject(kind: "pool"), reason:
                    "neither pool is a host's dynamic range, which a plan can move: which of \(names) should change? Edit its range where it is defined"))
                continue
            }
            for pool in hostPools {
                let key = "\(pool.cluster ?? "")|\(HostName.key(pool.host ?? ""))"
                if changes[key] != nil { changes[key]!.resolves.append(f.id); continue }
                guard let host = pool.host, let target = allocator.planPool(host: host, cluster: pool.cluster ?? "") else {
                    unplaced.append(Unplaced(finding: f.id, subject: Subject(kind: "pool", cluster: pool.cluster, host: pool.host, name: pool.name),
                                             reason: "host \(pool.host ?? "?") has no range in the seed plan (see `macaudit pool suggest`): give it one in rules/pools.yaml"))
                    continue
                }
                let dynamic = dynamicRange(in: target)
                guard dynamic != pool.range else { continue }
                changes[key] = PoolChange(host: host, cluster: pool.cluster ?? "", pool: pool.name, from: pool.range, to: dynamic,
                                          planPool: target.name, resolves: [f.id])
            }
        }
        // A strict rollout puts every host's dynamic range into the plan too, first of all.
        let strict = Served(snapshot.pools.filter { $0.kind == .defined && $0.strict })
        for pool in snapshot.pools where pool.kind == .hostDynamic && !strict.isEmpty {
            guard let host = pool.host, let cluster = pool.cluster, strict.covers(host: host, cluster: cluster),
                  let target = allocator.planPool(host: host, cluster: cluster), pool.range != dynamicRange(in: target) else { continue }
            let key = "\(cluster)|\(HostName.key(host))"
            if changes[key] == nil {
                changes[key] = PoolChange(host: host, cluster: cluster, pool: pool.name, from: pool.range, to: dynamicRange(in: target),
                                          planPool: target.name, resolves: [])
            }
        }
        let ordered = changes.values.sorted { ($0.cluster, HostName.key($0.host)) < ($1.cluster, HostName.key($1.host)) }
            .map { c in var c = c; c.resolves = Array(Set(c.resolves)).sorted(); return c }
        // Holders whose dynamic MAC came from a range that changes: static MACs from the new ranges.
        var movers: [(Holder, [String])] = []
        for h in snapshot.holders where h.dynamicMAC == true && h.hasAdapter && !h.isManagementOS && snapshot.isAudited(h) {
            guard let mac = h.mac.address else { continue }
            let resolves = ordered.filter { $0.from.contains(mac) }.flatMap(\.resolves)
            if !resolves.isEmpty { movers.append((h, Array(Set(resolves)).sorted())) }
        }
        return (ordered, unplaced, movers)
    }

    /// Which hosts a set of pools serves, answered in constant time (a fleet's plan has a pool per host).
    struct Served {
        private let fleet: Bool
        private let clusters: Set<String>
        /// `cluster|host key`, and `|host key` for host pools of no cluster.
        private let hosts: Set<String>
        let isEmpty: Bool

        init(_ pools: [Pool]) {
            fleet = pools.contains { $0.host == nil && $0.cluster == nil }
            clusters = Set(pools.filter { $0.host == nil }.compactMap(\.cluster))
            hosts = Set(pools.compactMap { p in p.host.map { "\(p.cluster ?? "")|\(HostName.key($0))" } })
            isEmpty = pools.isEmpty
        }

        func covers(host: String, cluster: String) -> Bool {
            if fleet || clusters.contains(cluster) { return true }
            let key = HostName.key(host)
            return hosts.contains("\(cluster)|\(key)") || hosts.contains("|\(key)")
        }
    }

    /// The part of a host's plan range that Hyper-V's dynamic allocation gets: the lower half
    /// (VM numbers 000–7FF of a seed-plan range). The planner's static MACs come from the rest, so
    /// Hyper-V never hands out a MAC the plan gave.
    static func dynamicRange(in plan: Pool) -> MACRange {
        let half = plan.range.count / 2
        return half == 0 ? plan.range : MACRange(plan.range.lower, MACAddress(uncheckedValue: plan.range.lower.value + half - 1))!
    }

    /// `port-profile-mismatch`: point the port at the NC interface that holds the adapter's MAC.
    static func profileRepairs(_ findings: [Finding], _ snapshot: Snapshot, unplaced: inout [Unplaced]) -> [ProfileRepair] {
        var out: [ProfileRepair] = []
        for f in findings where f.remedy == .repairProfile {
            for ref in f.holders {
                let h = snapshot.holders[ref.index]
                guard let a = h.adapter, let vm = a.vmName, let nic = h.interface, let instance = nic.instanceId, let mac = h.mac.address else {
                    unplaced.append(Unplaced(finding: f.id, subject: h.subject, reason:
                        "no NC interface holds the adapter's MAC: which NC interface is this adapter's? Set the port's ProfileId to its instanceId, or create the interface"))
                    continue
                }
                out.append(ProfileRepair(holderKey: h.key, subject: h.subject, host: h.host, vmName: vm, adapterName: a.name,
                                         from: h.profile?.profileId, to: instance, interfaceResourceId: nic.resourceId,
                                         resolves: [f.id], position: h.position, mac: mac, vmId: a.vmId, adapterId: a.id, wasDynamic: a.dynamicMAC))
            }
        }
        return out
    }

    /// Findings at error or above that no fix of the plan resolves: the check's question.
    static func questions(_ findings: [Finding], _ snapshot: Snapshot, answered: Set<String>) -> [Unplaced] {
        findings.filter { $0.severity >= .error && !answered.contains($0.id) }.map { f in
            let reason = CheckRegistry.infos[f.check]?.question
                ?? (f.holders.allSatisfy { !snapshot.isAudited(snapshot.holders[$0.index]) }
                    ? "every holder is in a cluster this run does not audit: that cluster's audit plans its fix"
                    : "the plan has no fix for this finding; see the finding's message")
            return Unplaced(finding: f.id, subject: f.subjects.first ?? Subject(kind: f.check.rawValue), reason: reason)
        }
    }

    /// The holders that move, in the order the plan lists them (snapshot order), each with
    /// every finding its move resolves.
    struct Moves {
        private var byPosition: [Int: Move] = [:]

        mutating func add(_ h: Holder, finding: String, check: CheckID, remedy: Remedy) {
            modify(&byPosition[h.position, default: Move(holder: h)])
            func modify(_ move: inout Move) {
                move.resolves.append(finding)
                move.checks.append(check)
                move.remedies.append(remedy)
            }
        }

        /// By place in the snapshot: holders are there in file and record order.
        var ordered: [Move] { byPosition.keys.sorted().map { byPosition[$0]! } }
    }

    /// One holder that moves, with every finding its move resolves.
    struct Move {
        let holder: Holder
        var resolves: [String] = []
        /// One per finding (repeats kept: most moves resolve one finding, and a set per move costs more).
        var checks: [CheckID] = []
        var remedies: [Remedy] = []
    }

    /// A shared MAC held by NC interfaces that no adapter claims and by adapters without an NC
    /// interface, in one cluster: most likely each interface is one of those adapters', left unjoined
    /// because no port profile says which. Moving an adapter off its own interface's MAC would make a
    /// mismatch, so the plan asks instead.
    static func unjoined(_ holders: [Holder]) -> String? {
        let orphans = holders.filter { !$0.hasAdapter }
        let bare = holders.filter { $0.hasAdapter && !$0.hasInterface && !$0.isManagementOS }
        guard !orphans.isEmpty, bare.contains(where: { a in orphans.contains { $0.cluster == a.cluster } }) else { return nil }
        let names = orphans.map { "'\($0.interface!.resourceId)'" }.joined(separator: ", ")
        let adapters = bare.map(\.label).joined(separator: "; ")
        return "NC interface(s) \(names) and \(adapters) hold this MAC, and no port profile says which interface is which adapter's: "
            + "export the port profiles of their hosts and audit again (the plan then moves all but one VM with its interface), "
            + "or remove the interfaces that belong to no VM"
    }

    /// Why a holder cannot get a new MAC from a plan, if it cannot.
    static func cannotMove(_ h: Holder) -> String? {
        if !h.hasAdapter { return "an NC interface without an adapter: remove the stale interface rather than re-address it" }
        if h.isManagementOS {
            return "a host vNIC (Network ATC gives converged vNICs the physical NIC's MAC): change it by hand with Set-VMNetworkAdapter -ManagementOS"
        }
        return nil
    }

    /// The key a holder's reservations are filed under: its ``HolderKey``.
    public static func holderKey(_ h: Holder) -> String { h.key }

    /// Holders in the order in which they keep a shared MAC (the first keeps it): criterion by
    /// criterion, a holder that meets it before one that does not; the first reported breaks ties.
    static func keepOrder(_ holders: [Holder], _ order: KeepOrder = .standard, wire: WireEvidence = WireEvidence(nil)) -> [Holder] {
        func meets(_ h: Holder, _ c: KeepOrder.Criterion) -> Bool {
            switch c {
            case .controllerConsistent: return h.link == .portProfile && h.adapterMAC == h.interfaceMAC
            case .controllerManaged: return h.isControllerManaged
            case .static: return h.dynamicMAC != true
            case .running: return h.adapter?.running == true
            case .seenOnWire: return wire.shows(h)
            }
        }
        let keyed = holders.map { h in (h, order.criteria.map { meets(h, $0) ? 0 : 1 }) }
        return keyed.sorted { a, b in
            if a.1 != b.1 { return a.1.lexicographicallyPrecedes(b.1) }
            return moverOrder(a.0, b.0)
        }.map(\.0)
    }

    /// Stable order: the first reported (file, record) first.
    static func moverOrder(_ a: Holder, _ b: Holder) -> Bool {
        let sa = source(a), sb = source(b)
        return sa != sb ? sa < sb : a.subject < b.subject
    }

    /// Where a holder was first reported.
    static func source(_ h: Holder) -> SourceLocation {
        if let a = h.adapter { return a.source }
        return h.interface!.source
    }

    /// For findings whose remedy is adopting the controller's MAC: that MAC, if nothing else holds
    /// it (no other holder of the snapshot, no other plan entry, no holder or reservation the pool
    /// database knows of — unless it is this holder's own MAC already).
    static func adoptControllerMAC(_ h: Holder, allocator: inout Allocator) -> MACAddress? {
        guard let nc = h.interfaceMAC?.address, !nc.isGroup else { return nil }
        let own = h.mac.address == nc
        let others = allocator.holderCount(nc.value) - (own ? 1 : 0)
        guard others == 0, !allocator.isProposed(nc.value), own || !allocator.isInDatabase(nc.value) else { return nil }
        allocator.propose(nc.value)
        return nc
    }

    static func proposal(_ h: Holder, to: MACAddress, pool: String?, resolves: [String], reason: String) -> Proposal {
        let subject = h.subject
        var p = Proposal(holderKey: subject.key ?? holderKey(h), subject: subject, host: h.host, vmName: h.adapter?.vmName,
                         adapterName: h.adapter?.name ?? "", interfaceResourceId: h.interface?.resourceId, from: h.mac, to: to, pool: pool,
                         resolves: resolves.count == 1 ? resolves : Array(Set(resolves)).sorted(), reason: reason, position: h.position)
        p.vmId = h.adapter?.vmId
        p.adapterId = h.adapter?.id
        p.wasDynamic = h.adapter?.dynamicMAC
        p.interfaceMAC = h.interface?.mac.address
        p.interfaceAllocation = h.interface.map { $0.allocation.rawValue }
        return p
    }
}

/// What the captures say about a holder, for the keep order's `seen-on-wire`: its MAC on its
/// access VLAN, or its MAC claiming one of its IP addresses (ARP, ND, DHCP).
struct WireEvidence {
    private var scopes: [UInt64: [WireScope]] = [:]
    private var claimedIPs: [UInt64: Set<IPAddress>] = [:]

    init(_ wire: WireSnapshot?) {
        guard let wire else { return }
        for s in wire.table.stations { scopes[s.mac.value, default: []].append(s.scope) }
        for c in wire.table.claims { claimedIPs[c.mac.value, default: []].insert(c.ip) }
    }

    func shows(_ h: Holder) -> Bool {
        guard let mac = h.mac.address?.value, let seen = scopes[mac] else { return false }
        if let vlan = h.adapter?.vlan, seen.contains(where: { $0.vlan.map(Int.init) == vlan }) { return true }
        let ips = (h.adapter?.ipAddresses ?? []) + (h.interface?.ipAddresses ?? [])
        guard let claimed = claimedIPs[mac] else { return false }
        return ips.contains { IPAddress(parsing: $0).map(claimed.contains) ?? false }
    }
}
