import MACAuditModel
import MACAuditIngest
/// `audit --plan --verify`: applies a plan to what the audit read — every move (the adapter's MAC
/// made static, its NC interface's MAC set Static, its port profile's MAC), every profile repair,
/// every host range change, the suggested pools it drew from — reconciles that, runs every check
/// again and compares.
///
/// Findings are compared by what they are about, not by id (an id includes the MAC, which a move
/// changes): the check and the identities of its subjects (a holder's key, a pool's name and owner).
/// The captures are left out of the second run: they show the MACs as they were.
public enum PlanVerifier {
    /// The audit's inputs as the second run needs them. `inventory` is the one `snapshot` was
    /// reconciled from: the plan names holders by their place in the snapshot, and their adapters,
    /// interfaces and profiles are found in the inventory by identity.
    public struct Inputs {
        public var inventory: Inventory
        public var snapshot: Snapshot
        public var findings: [Finding]
        /// The rules with the pools the audit used beside the inputs' (rules, pool database).
        public var rules: Rules
        public var recorded: [RecordedHolder] = []
        public var reservations: [Reservation] = []
        public var audited: Set<String>? = nil

        public init(inventory: Inventory, snapshot: Snapshot, findings: [Finding], rules: Rules, recorded: [RecordedHolder] = [],
                    reservations: [Reservation] = [], audited: Set<String>? = nil) {
            self.inventory = inventory; self.snapshot = snapshot; self.findings = findings; self.rules = rules
            self.recorded = recorded; self.reservations = reservations; self.audited = audited
        }
    }

    public static func verify(_ plan: Plan, _ inputs: Inputs) -> Verification {
        var rules = inputs.rules
        rules.pools = changedPools(rules.pools, plan) + (plan.suggestion?.suggestedPools.filter { plan.suggestedPoolsUsed.contains($0.name) } ?? [])
        let after = Audit.judge(applied(plan, to: inputs.inventory, snapshot: inputs.snapshot), rules: rules, wire: nil,
                                recorded: inputs.recorded, reservations: inputs.reservations, audited: inputs.audited, clock: PhaseClock()).1
        let beforeKeys = Set(inputs.findings.map(matchKey))
        let afterKeys = Set(after.map(matchKey))
        let meant = plan.resolvedIds
        let remaining = inputs.findings.filter { meant.contains($0.id) && afterKeys.contains(matchKey($0)) }.map(\.id)
        let introduced = after.filter { !beforeKeys.contains(matchKey($0)) }
        return Verification(remaining: Array(Set(remaining)).sorted(), introduced: introduced, findingsAfter: after.count)
    }

    /// What a finding is about, whatever its MAC: check and subject identities.
    static func matchKey(_ f: Finding) -> [String] {
        [f.check.rawValue] + f.subjects.flatMap { $0.identity + ["\u{1F}"] }
    }

    /// The inventory with the plan's moves and repairs made.
    static func applied(_ plan: Plan, to inventory: Inventory, snapshot: Snapshot) -> Inventory {
        var adapters: [ObjectIdentifier: MACAddress] = [:], interfaces: [ObjectIdentifier: MACAddress] = [:]
        var profiles: [ObjectIdentifier: (id: String?, mac: MACField?)] = [:]
        for p in plan.proposals {
            let h = snapshot.holders[p.position]
            if let a = h.adapter { adapters[ObjectIdentifier(a)] = p.to }
            if let nic = h.interface { interfaces[ObjectIdentifier(nic)] = p.to }
            if let profile = h.profile { profiles[ObjectIdentifier(profile), default: (profile.profileId, nil)].mac = .valid(p.to) }
        }
        for r in plan.repairs {
            guard let profile = snapshot.holders[r.position].profile else { continue }
            profiles[ObjectIdentifier(profile), default: (nil, nil)].id = r.to
        }
        var out = inventory
        out.adapters = inventory.adapters.map { a in adapters[ObjectIdentifier(a)].map { a.with(mac: .valid($0)) } ?? a }
        out.interfaces = inventory.interfaces.map { n in interfaces[ObjectIdentifier(n)].map { n.with(mac: .valid($0)) } ?? n }
        out.portProfiles = inventory.portProfiles.map { p in
            profiles[ObjectIdentifier(p)].map { change in p.with(profileId: change.id ?? p.profileId, mac: change.mac ?? p.mac) } ?? p
        }
        out.pools = changedPools(inventory.pools, plan)
        return out
    }

    /// Pools with the plan's host range changes made.
    static func changedPools(_ pools: [Pool], _ plan: Plan) -> [Pool] {
        guard !plan.poolChanges.isEmpty else { return pools }
        return pools.map { pool in
            guard pool.kind == .hostDynamic, let change = plan.poolChanges.first(where: {
                $0.pool == pool.name && $0.cluster == (pool.cluster ?? "") && HostName.key($0.host) == HostName.key(pool.host ?? "")
            }) else { return pool }
            var changed = pool
            changed.range = change.to
            return changed
        }
    }
}
