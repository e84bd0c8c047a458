import MACAuditModel
import MACAuditIngest
/// Lays the seed plan — a 24-bit prefix, a cluster byte, a host nibble, a 12-bit VM number — over
/// the clusters and hosts an audit sees, so that every host has 4,096 addresses nobody else has.
///
/// Stability: a cluster or host already in a plan of `rules/pools.yaml` keeps its byte and nibble;
/// new clusters take the lowest free byte and new hosts the lowest free nibble, in name order. A
/// new plan's prefix is the lowest 24-bit prefix of the IEEE 802c AAI quadrant (locally
/// administered, unicast, second-lowest nibble `2`: `02-…`, `12-…`, … `F2-…`) that overlaps no pool
/// of any allocator, no reserved prefix and no other plan, and that holds no MAC in use outside the
/// ranges this design gives (a MAC a host already holds inside its own range is simply skipped by
/// the planner; the same design is chosen again after the plan is applied).
///
/// Limits, and what happens past them: a plan has 256 cluster bytes — a 257th cluster opens a
/// second plan with the next free prefix; a cluster has 16 host nibbles — a 17th host gets no range
/// and is listed in ``PoolSuggestion/leftOut`` (split the cluster in `pools.yaml`); a host has 4,096
/// addresses — past them `pool-exhaustion` reports it and the planner says the range is full.
public enum PoolDesigner {
    public static let clustersPerPlan = 256
    public static let hostsPerCluster = 16
    public static let addressesPerHost = 4096

    /// A host the design should give a range to.
    public struct Place: Hashable, Sendable {
        public var cluster: String
        public var host: String
        public init(cluster: String, host: String) { self.cluster = cluster; self.host = host }
    }

    /// The hosts of a snapshot: every adapter's, every host's dynamic pool's.
    public static func places(_ snapshot: Snapshot) -> [Place] {
        var seen = Set<Place>(), out: [Place] = []
        func add(_ cluster: String, _ host: String) {
            guard !host.isEmpty, !cluster.isEmpty else { return }
            let place = Place(cluster: cluster, host: host)
            if seen.insert(Place(cluster: cluster, host: HostName.key(host))).inserted { out.append(place) }
        }
        var last: Place?
        for h in snapshot.holders where h.hasAdapter {
            if last?.host == h.host && last?.cluster == h.cluster { continue }  // holders come in runs of one host
            last = Place(cluster: h.cluster, host: h.host)
            add(h.cluster, h.host)
        }
        for p in snapshot.pools where p.kind == .hostDynamic { if let host = p.host, let cluster = p.cluster { add(cluster, host) } }
        return out
    }

    /// Why a prefix given by the admin cannot carry a plan, or nil when it can.
    public static func problem(with prefix: UInt32) -> String? {
        let first = UInt8(prefix >> 16)
        if first & 0x01 != 0 { return "has the group (multicast) bit set" }
        if first & 0x0F != 0x02 {
            return "is not in the IEEE 802c AAI quadrant (locally administered, first octet x2: 02, 12, … F2) left to administrators"
        }
        return nil
    }

    /// The design: the rules' plans extended by every place they lack.
    /// - Parameters:
    ///   - used: every MAC in use or reserved (holders, stations, the pool database), sorted or not.
    ///   - prefix: the admin's choice for a new plan's prefix (`--prefix`), checked like any other.
    public static func suggest(places: [Place], rules: Rules, pools: [Pool], used: [UInt64], name: String = "seed",
                               prefix chosen: UInt32? = nil) -> PoolSuggestion {
        var plans = rules.plans
        var leftOut: [String] = [], added: [String] = []
        let byCluster = Dictionary(grouping: places, by: \.cluster)
        for cluster in byCluster.keys.sorted() {
            let hosts = byCluster[cluster]!.map(\.host).sorted { HostName.key($0) < HostName.key($1) }
            var (p, c) = locate(cluster, in: plans)
            if p == nil {
                if let open = plans.indices.last(where: { plans[$0].clusters.count < clustersPerPlan && plans[$0].name.hasPrefix(name) })
                    ?? plans.indices.last(where: { plans[$0].clusters.count < clustersPerPlan }) {
                    p = open
                } else {
                    plans.append(PoolPlan(name: plans.isEmpty ? name : "\(name)-\(plans.count + 1)", prefix: 0, clusters: []))
                    p = plans.count - 1
                }
                let taken = Set(plans[p!].clusters.map(\.byte))
                let byte = (0...255).map(UInt8.init).first { !taken.contains($0) }!
                plans[p!].clusters.append(.init(name: cluster, byte: byte, hosts: []))
                c = plans[p!].clusters.count - 1
                added.append("cluster \(cluster) (byte 0x\(hex(byte)) of plan '\(plans[p!].name)')")
            }
            var entry = plans[p!].clusters[c!]
            let known = Set(entry.hosts.map { HostName.key($0.name) })
            for host in hosts where !known.contains(HostName.key(host)) {
                let taken = Set(entry.hosts.map(\.nibble))
                guard let nibble = (0..<UInt8(hostsPerCluster)).first(where: { !taken.contains($0) }) else {
                    leftOut.append("host \(host) of cluster \(cluster): a plan gives a cluster \(hostsPerCluster) hosts (nibbles 0–F) and "
                                   + "\(cluster) has more; give the extra hosts a cluster entry of their own in pools.yaml")
                    continue
                }
                entry.hosts.append((host, nibble))
                added.append("host \(host) of cluster \(cluster) (nibble \(String(nibble, radix: 16, uppercase: true)))")
            }
            plans[p!].clusters[c!] = entry
        }
        // Prefixes last: a new plan's prefix must avoid every range the design itself gives.
        let forbidden = forbiddenRanges(pools: pools, rules: rules)
        let sortedUsed = zip(used, used.dropFirst()).allSatisfy { $0 <= $1 } ? used : used.sorted()
        var nextCandidate: UInt32 = 0x02_00_00
        let ruleNames = Set(rules.plans.map(\.name))
        var unprefixed = plans.indices.filter { plans[$0].prefix == 0 && !ruleNames.contains(plans[$0].name) }
        if let chosen, let first = unprefixed.first {
            plans[first].prefix = chosen
            unprefixed.removeFirst()
        }
        for i in unprefixed {
            let others = plans.filter { $0.prefix != 0 }.map(\.span)
            guard let free = firstFreePrefix(from: &nextCandidate, plan: plans[i], forbidden: forbidden + others, used: sortedUsed) else {
                leftOut += plans[i].clusters.map { "cluster \($0.name): no 24-bit prefix of the AAI quadrant is free" }
                plans[i].clusters = []
                continue
            }
            plans[i].prefix = free
        }
        plans.removeAll { $0.clusters.isEmpty && !ruleNames.contains($0.name) }
        return PoolSuggestion(plans: plans, leftOut: leftOut, added: added, unchanged: rules.plans)
    }

    static func locate(_ cluster: String, in plans: [PoolPlan]) -> (Int?, Int?) {
        for (p, plan) in plans.enumerated() {
            if let c = plan.clusters.firstIndex(where: { $0.name == cluster }) { return (p, c) }
        }
        return (nil, nil)
    }

    /// Every range a plan's prefix must not overlap: pools of every kind but the plans' own, and
    /// every reserved prefix.
    public static func forbiddenRanges(pools: [Pool], rules: Rules) -> [MACRange] {
        let planPools = Set(rules.plans.flatMap { plan in plan.clusters.flatMap { c in c.hosts.map { plan.poolName(cluster: c.name, host: $0.name) } } })
        return pools.filter { !planPools.contains($0.name) && $0.kind != .suggested }.map(\.range)
            + rules.reservedPrefixes.compactMap { prefix in
                if case .range(let r) = prefix.match { return r }
                return nil
            }
    }

    /// The lowest AAI prefix at or above `candidate` that overlaps no forbidden range and holds no
    /// used MAC outside the ranges `plan` would give under it.
    static func firstFreePrefix(from candidate: inout UInt32, plan: PoolPlan, forbidden: [MACRange], used: [UInt64]) -> UInt32? {
        let given = Set(plan.clusters.flatMap { c in c.hosts.map { UInt32(c.byte) << 4 | UInt32($0.nibble) } })
        while candidate <= 0xF2_FF_FF {
            let p = candidate
            candidate = nextAAI(after: p)
            let span = PoolPlan(name: "", prefix: p, clusters: []).span
            if forbidden.contains(where: { $0.overlaps(span) }) { continue }
            var i = lowerBound(used, span.lower.value), clean = true
            while i < used.count && used[i] <= span.upper.value {
                if !given.contains(UInt32((used[i] >> 12) & 0xFFF)) { clean = false; break }
                i += 1
            }
            if clean { return p }
        }
        return nil
    }

    /// The next prefix whose first octet keeps the AAI quadrant's low nibble (x2).
    static func nextAAI(after p: UInt32) -> UInt32 {
        let next = p + 1
        return next & 0x0F_00_00 == 0x02_00_00 ? next : (next & 0xF0_00_00) + 0x12_00_00
    }

    static func lowerBound(_ a: [UInt64], _ x: UInt64) -> Int {
        var lo = 0, hi = a.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if a[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    static func hex(_ b: UInt8) -> String { b < 16 ? "0" + String(b, radix: 16, uppercase: true) : String(b, radix: 16, uppercase: true) }
}

/// A designed pool plan: the rules' plans with every new cluster and host appended.
public struct PoolSuggestion: Sendable {
    public var plans: [PoolPlan]
    /// Hosts and clusters the design could not give a range, each with why.
    public var leftOut: [String]
    /// What the design adds to the rules' plans, for the admin to read.
    public var added: [String]
    /// The rules' plans as they were: pools of these are already defined.
    public var unchanged: [PoolPlan]

    /// True when the rules' plans already give every host a range.
    public var isEmpty: Bool { added.isEmpty }

    /// The per-host pools the design adds beyond what the rules define, as `.suggested` pools.
    public var suggestedPools: [Pool] {
        let defined = Set(unchanged.flatMap { $0.pools(source: Self.source).map(\.name) })
        return plans.flatMap { $0.pools(source: Self.source, kind: .suggested) }.filter { !defined.contains($0.name) }
    }

    static let source = SourceLocation(path: "suggested plan (macaudit pool suggest)", record: 1, line: 0)
}
