import MACAuditModel
import MACAuditIngest
/// A proposed fix: give one adapter (and its NC interface) a new static MAC — or make the MAC it
/// has static, when that is the fix (`to` equals `from`).
public struct Proposal: Sendable, Hashable {
    /// Who the MAC is reserved for in the pool database: the holder key (``HolderKey``).
    public var holderKey: String
    public var subject: Subject
    public var host: String
    public var vmName: String?
    public var adapterName: String
    /// The NC interface to update with the new MAC (set Static), when the holder has one.
    public var interfaceResourceId: String?
    public var from: MACField
    public var to: MACAddress
    /// The pool the new MAC comes from; nil when the controller's own MAC is adopted.
    public var pool: String?
    public var resolves: [String]
    public var reason: String
    /// The holder's place in the snapshot the plan was made from (``Snapshot/holders``).
    public var position: Int
    /// What the scripts find the adapter and its interface by, and expect of them (from the export).
    public var vmId: String? = nil
    public var adapterId: String? = nil
    public var wasDynamic: Bool? = nil
    public var interfaceMAC: MACAddress? = nil
    /// `Static` or `Dynamic`, as the NC export said.
    public var interfaceAllocation: String? = nil

    /// True when the MAC stays and only becomes static (a dynamic MAC the controller agrees with).
    public var makesStatic: Bool { from.address == to }
}

/// A port profile that names the wrong NC interface: its ProfileId becomes the interface's
/// instance id. Its own step, after any move of the same adapter.
public struct ProfileRepair: Sendable, Hashable {
    public var holderKey: String
    public var subject: Subject
    public var host: String
    public var vmName: String
    public var adapterName: String
    /// The ProfileId the port has now (lower-case GUID, no braces).
    public var from: String?
    /// The instance id of the NC interface that holds the adapter's MAC.
    public var to: String
    public var interfaceResourceId: String
    public var resolves: [String]
    public var position: Int
    /// The adapter's MAC (it does not change) and what the scripts find the adapter by.
    public var mac: MACAddress
    public var vmId: String? = nil
    public var adapterId: String? = nil
    public var wasDynamic: Bool? = nil
}

/// A host's dynamic range (`Set-VMHost -MacAddressMinimum … -MacAddressMaximum …`) moved to one
/// that nothing else hands out: its range in the seed plan.
public struct PoolChange: Sendable, Hashable {
    public var host: String
    public var cluster: String
    /// The host-dynamic pool that changes.
    public var pool: String
    public var from: MACRange
    public var to: MACRange
    /// The plan pool whose range the host takes.
    public var planPool: String
    public var resolves: [String]
}

/// A finding the plan does not fix, with why and, where a person must decide, the question.
public struct Unplaced: Sendable, Hashable {
    public var finding: String
    public var subject: Subject
    public var reason: String
}

/// What a plan would leave and what it would cause: every proposal, repair and range change applied
/// to the reconciled model and every check run again (without the captures: they show what was).
public struct Verification: Sendable {
    /// Findings the plan says it resolves that the checks still report, by the id they had.
    public var remaining: [String]
    /// Findings the checks report only after the plan (a move into another pool's range, a new duplicate).
    public var introduced: [Finding]
    /// How many findings the checks report after the plan.
    public var findingsAfter: Int
}

/// A plan: moves, profile repairs and range changes, what it leaves to a person, and the designed
/// pool plan it drew from where the rules define none.
public struct Plan: Sendable {
    public var proposals: [Proposal]
    public var repairs: [ProfileRepair] = []
    public var poolChanges: [PoolChange] = []
    public var unplaced: [Unplaced]
    /// The suggested plan, when moves or range changes used pools it designed (not yet in the rules).
    public var suggestion: PoolSuggestion?
    /// Names of the suggested pools the plan drew from.
    public var suggestedPoolsUsed: [String] = []
    /// Set by `--verify`.
    public var verification: Verification?

    public init(proposals: [Proposal], repairs: [ProfileRepair] = [], poolChanges: [PoolChange] = [], unplaced: [Unplaced],
                suggestion: PoolSuggestion? = nil, suggestedPoolsUsed: [String] = []) {
        self.proposals = proposals; self.repairs = repairs; self.poolChanges = poolChanges; self.unplaced = unplaced
        self.suggestion = suggestion; self.suggestedPoolsUsed = suggestedPoolsUsed
    }

    /// Every finding id some fix of the plan resolves.
    public var resolvedIds: Set<String> {
        Set(proposals.flatMap(\.resolves) + repairs.flatMap(\.resolves) + poolChanges.flatMap(\.resolves))
    }

    /// Hosts in the order a rollout takes them: range changes first (host by host), then moves
    /// and repairs grouped per host, with how many of each.
    public var stages: [(host: String, poolChanges: Int, moves: Int, repairs: Int)] {
        var hosts: [String: (Int, Int, Int)] = [:]
        for c in poolChanges { hosts[c.host, default: (0, 0, 0)].0 += 1 }
        for p in proposals where p.vmName != nil { hosts[p.host, default: (0, 0, 0)].1 += 1 }
        for r in repairs { hosts[r.host, default: (0, 0, 0)].2 += 1 }
        return hosts.keys.sorted().map { (host: $0, poolChanges: hosts[$0]!.0, moves: hosts[$0]!.1, repairs: hosts[$0]!.2) }
    }
}
