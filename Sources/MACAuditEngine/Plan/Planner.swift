import MACAuditModel
import MACAuditIngest
/// A proposed fix: give one adapter (and its NC interface) a new static MAC.
public struct Proposal: Sendable, Hashable {
    /// Who the MAC is reserved for in the pool database: the holder key (``HolderKey``).
    public var holderKey: String
    public var subject: Subject
    public var host: String
    public var vmName: String?
    public var adapterName: String
    /// The NC interface to update with the new MAC, when the holder has one.
    public var interfaceResourceId: String?
    /// The port profile to repair (set ProfileId to the interface's instance id), when it is stale.
    public var profileInstanceId: String?
    public var from: MACField
    public var to: MACAddress
    /// The pool the new MAC comes from; nil when the controller's own MAC is adopted.
    public var pool: String?
    public var resolves: [String]
    public var reason: String
}

/// A finding that needs a new MAC but got none, with why.
public struct Unplaced: Sendable, Hashable {
    public var finding: String
    public var subject: Subject
    public var reason: String
}

public struct Plan: Sendable {
    public var proposals: [Proposal]
    public var unplaced: [Unplaced]
}

/// Decides, for every finding that needs a new MAC, which holder keeps its MAC and which moves, and
/// picks each mover's new static MAC — deterministically (same inputs, same plan).
///
/// Who keeps a duplicated MAC follows the rules' ``KeepOrder`` (`rules/plan.yaml`); by default: an
/// adapter whose NC interface is joined by its port profile and agrees with it; then one the NC
/// manages; then a static MAC over a dynamic one; then a running VM's adapter; then one seen on the
/// wire; then the first reported (file and record order). Everyone else moves.
///
/// Where a new MAC comes from, first that applies: a pool defined for the holder's host (the seed
/// plan's per-host range), one defined for its cluster, its cluster's NC macPool (SDN-managed
/// holders), a fleet-wide defined pool, an SCVMM pool. Never a Hyper-V host's dynamic range: Hyper-V
/// would hand the same MAC out again.
///
/// A new MAC collides with nothing: no adapter, NC interface or wire station holds it, the pool
/// database has no assignment or reservation of it (`alsoUsed`), no reserved prefix covers it, its
/// group bit is clear, and no other proposal of this plan took it. `mac-mismatch` and
/// `dynamic-mac-on-sdn` adopt the controller's MAC instead of a third one, when nothing else holds it.
/// Where no pool has room, the finding is listed as unplaced and no MAC is invented.
public enum Planner {
    /// - Parameters:
    ///   - alsoUsed: MACs the pool database knows as assigned or reserved.
    ///   - pending: MACs reserved by an earlier plan that is still pending, by holder key
    ///     (``holderKey(_:)``): a holder that still needs a move gets the same MAC again.
    ///   - accepted: ids of findings a baseline accepts: they are not fixed.
    ///
    /// Acts on findings whose check's remedy is ``Remedy/move`` or ``Remedy/adoptController``, at
    /// warning or above; the holders moved are the finding's own (``Finding/holders``) that hold its MAC.
    public static func plan(_ snapshot: Snapshot, findings: [Finding], rules: Rules, alsoUsed: [UInt64] = [],
                            pending: [String: MACAddress] = [:], accepted: Set<String> = []) -> Plan {
        var allocator = Allocator(snapshot: snapshot, rules: rules, alsoUsed: alsoUsed)
        var moves: [ObjectIdentifier: Move] = [:]
        var order: [ObjectIdentifier] = []
        var unplaced: [Unplaced] = []
        let wire = WireEvidence(snapshot.wire)

        for finding in findings where finding.remedy.changesMAC && finding.severity >= .warning && !accepted.contains(finding.id) {
            guard let value = finding.mac.address?.value else { continue }
            let holders = finding.holders.map { snapshot.holders[$0.index] }.filter { $0.mac.address?.value == value }
            // Holders that share the MAC (a duplicate): the first in keep order keeps it. A holder of a
            // cluster this run does not audit (from the pool database) is that cluster's to fix: it
            // keeps its MAC, and only this run's holders move.
            var movers = holders.count > 1 ? Array(keepOrder(holders, rules.keepOrder, wire: wire).dropFirst()) : holders
            if holders.contains(where: { !snapshot.isAudited($0) }) { movers = holders.filter { snapshot.isAudited($0) } }
            for h in movers {
                if let reason = cannotMove(h) {
                    unplaced.append(Unplaced(finding: finding.id, subject: h.subject, reason: reason))
                    continue
                }
                let key = ObjectIdentifier(h)
                if moves[key] == nil { order.append(key); moves[key] = Move(holder: h) }
                moves[key]!.resolves.append(finding.id)
                moves[key]!.checks.append(finding.check)
                moves[key]!.remedies.insert(finding.remedy)
            }
        }

        var proposals: [Proposal] = []
        let sortedKeys = order.map { (source(moves[$0]!.holder), $0) }.sorted { $0.0 < $1.0 }.map(\.1)
        for key in sortedKeys {
            let move = moves[key]!, h = move.holder
            let reasons = move.checks.map(\.rawValue).sorted().joined(separator: ", ")
            if move.remedies == [.adoptController], let adopted = adoptControllerMAC(h, allocator: &allocator) {
                proposals.append(proposal(h, to: adopted, pool: nil, resolves: move.resolves, reason: "align with the Network Controller"))
                continue
            }
            if let earlier = pending[holderKey(h)], allocator.holderCount(earlier.value) == 0, !allocator.isProposed(earlier.value) {
                allocator.propose(earlier.value)
                proposals.append(proposal(h, to: earlier, pool: nil, resolves: move.resolves, reason: reasons + " (reserved by an earlier plan)"))
                continue
            }
            switch allocator.allocate(for: h) {
            case .success(let (mac, pool)):
                proposals.append(proposal(h, to: mac, pool: pool, resolves: move.resolves, reason: reasons))
            case .failure(let reason):
                unplaced += move.resolves.map { Unplaced(finding: $0, subject: h.subject, reason: reason.message) }
            }
        }
        return Plan(proposals: proposals, unplaced: unplaced.sorted { ($0.finding, $0.subject) < ($1.finding, $1.subject) })
    }

    /// One holder that moves, with every finding its move resolves.
    private struct Move {
        let holder: Holder
        var resolves: [String] = []
        var checks: [CheckID] = []
        var remedies: Set<Remedy> = []
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
        let profileFix = h.profile.flatMap { p in h.interface?.instanceId.flatMap { $0 != p.profileId ? $0 : nil } }
        return Proposal(holderKey: holderKey(h), subject: h.subject, host: h.host, vmName: h.adapter?.vmName, adapterName: h.adapter?.name ?? "",
                        interfaceResourceId: h.interface?.resourceId, profileInstanceId: profileFix, from: h.mac, to: to,
                        pool: pool, resolves: resolves.sorted(), reason: reason)
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
