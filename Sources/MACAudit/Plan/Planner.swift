/// A proposed fix: give one adapter (and its NC interface) a new static MAC.
public struct Proposal: Sendable, Hashable {
    /// Who the MAC is reserved for in the pool database (the adapter's Id).
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
    static let movingChecks: Set<String> = [
        "duplicate-mac", "group-bit", "reserved-prefix", "out-of-pool", "foreign-pool-dynamic", "dynamic-mac-on-sdn", "mac-mismatch",
    ]

    /// - Parameters:
    ///   - alsoUsed: MACs the pool database knows as assigned or reserved.
    ///   - pending: MACs reserved by an earlier plan that is still pending, by holder key
    ///     (``holderKey(_:)``): a holder that still needs a move gets the same MAC again.
    public static func plan(_ snapshot: Snapshot, findings: [Finding], rules: Rules, alsoUsed: [UInt64] = [],
                            pending: [String: MACAddress] = [:]) -> Plan {
        var allocator = Allocator(snapshot: snapshot, rules: rules, alsoUsed: alsoUsed)
        var moves: [ObjectIdentifier: (holder: Holder, resolves: [String], reasons: [String])] = [:]
        var order: [ObjectIdentifier] = []
        var unplaced: [Unplaced] = []
        let byMAC = Dictionary(grouping: snapshot.holders.filter { $0.mac.address != nil }, by: { $0.mac.address!.value })
        let bySubject = Dictionary(snapshot.holders.map { ($0.subject, $0) }, uniquingKeysWith: { a, _ in a })
        let wire = WireEvidence(snapshot.wire)

        for finding in findings where movingChecks.contains(finding.check) && finding.severity >= .warning && finding.accepted == nil {
            guard let value = finding.mac.flatMap({ try? MACAddress(parsing: $0) })?.value, let holders = byMAC[value] else { continue }
            let findingId = finding.id
            let movers = finding.check == "duplicate-mac" ? Array(keepOrder(holders, rules.keepOrder, wire: wire).dropFirst())
                : finding.subjects.compactMap { bySubject[$0] }.filter { $0.mac.address?.value == value }
            for h in movers {
                guard h.hasAdapter else {
                    unplaced.append(Unplaced(finding: findingId, subject: h.subject,
                                             reason: "an NC interface without an adapter: remove the stale interface rather than re-address it"))
                    continue
                }
                guard !h.isManagementOS else {
                    unplaced.append(Unplaced(finding: findingId, subject: h.subject,
                                             reason: "a host vNIC (Network ATC gives converged vNICs the physical NIC's MAC): change it by hand with Set-VMNetworkAdapter -ManagementOS"))
                    continue
                }
                let key = ObjectIdentifier(h)
                if moves[key] == nil { order.append(key); moves[key] = (h, [], []) }
                moves[key]!.resolves.append(findingId)
                moves[key]!.reasons.append(finding.check)
            }
        }

        var proposals: [Proposal] = []
        let sortedKeys = order.map { (source(moves[$0]!.holder), $0) }.sorted { $0.0 < $1.0 }.map(\.1)
        for key in sortedKeys {
            let (h, resolves, reasons) = moves[key]!
            if let adopted = adoptControllerMAC(h, reasons: reasons, allocator: &allocator) {
                proposals.append(proposal(h, to: adopted, pool: nil, resolves: resolves, reason: "align with the Network Controller"))
                continue
            }
            if let earlier = pending[holderKey(h)], allocator.holderCount(earlier.value) == 0, !allocator.isProposed(earlier.value) {
                allocator.propose(earlier.value)
                proposals.append(proposal(h, to: earlier, pool: nil, resolves: resolves, reason: reasons.sorted().joined(separator: ", ") + " (reserved by an earlier plan)"))
                continue
            }
            switch allocator.allocate(for: h) {
            case .success(let (mac, pool)):
                proposals.append(proposal(h, to: mac, pool: pool, resolves: resolves, reason: reasons.sorted().joined(separator: ", ")))
            case .failure(let reason):
                unplaced += resolves.map { Unplaced(finding: $0, subject: h.subject, reason: reason.message) }
            }
        }
        return Plan(proposals: proposals, unplaced: unplaced.sorted { ($0.finding, $0.subject) < ($1.finding, $1.subject) })
    }

    /// The key a holder's reservations are filed under: its adapter's Id, else its label.
    public static func holderKey(_ h: Holder) -> String { h.adapter?.id ?? h.subject.label }

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

    /// For `mac-mismatch` and `dynamic-mac-on-sdn`: the controller's MAC, if nothing else holds it.
    static func adoptControllerMAC(_ h: Holder, reasons: [String], allocator: inout Allocator) -> MACAddress? {
        guard reasons.allSatisfy({ $0 == "mac-mismatch" || $0 == "dynamic-mac-on-sdn" }),
              let nc = h.interfaceMAC?.address, !nc.isGroup else { return nil }
        let others = allocator.holderCount(nc.value) - (h.mac.address == nc ? 1 : 0)
        guard others == 0, !allocator.isProposed(nc.value) else { return nil }
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
