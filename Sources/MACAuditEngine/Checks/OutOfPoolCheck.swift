import MACAuditModel
import MACAuditIngest
/// A holder's MAC lies outside the pool it should have come from. Which pool that is depends on who
/// handed the MAC out:
/// - a Dynamic NC interface: one of its cluster's NC macPools (error: the NC promised it);
/// - any holder in a cluster with pools defined in `rules/pools.yaml` (a range or the seed plan):
///   one of those pools (warning) — unless its own allocator accounts for it: an NC-managed MAC
///   inside its cluster's NC pool (or Static in the NC), a dynamic MAC inside its own host's range. Defined pools add to
///   where a MAC may come from; `strict: true` on a pool or plan makes them the only place (a
///   rollout). Host vNICs carry their physical NIC's MAC and are never expected inside;
/// - a Hyper-V dynamic MAC: its host's MacAddressMinimum…Maximum, or any other host's (that case
///   is `foreign-pool-dynamic`) — outside every host pool it is a warning;
/// - a Static NC interface: outside every NC pool (and every defined pool) is normal (SDN Express
///   puts infrastructure MACs there), so only info.
public struct OutOfPoolCheck: Check {
    public init() {}
    public static let usesAllCores = true

    /// Which pool the MAC should have come from.
    public enum Variant: String, CheckVariant {
        case ncDynamic = "nc-dynamic", defined, hostDynamic = "host-dynamic", ncStatic = "nc-static"
    }

    public static let info = CheckInfo(
        id: .outOfPool,
        summary: "a MAC lies outside the pool it should come from",
        rationale: "A MAC outside its pool is invisible to the allocator, which may hand the same MAC to another VM.",
        severity: .warning,
        remedy: .move,
        variants: [Variant.ncDynamic: .error, .defined: .warning, .hostDynamic: .warning, .ncStatic: .info],
        examples: [
            CheckExample("a Dynamic NC interface outside the NC pool", Inventory(
                interfaces: [Example.nic("n", "001DD8B70001", allocation: .dynamic)],
                pools: [Example.ncPool("DefaultMacPool", "00-1D-D8-B7-1C-00", "00-1D-D8-B7-1F-FF")]),
                triggers: ["00-1D-D8-B7-00-01"], severity: .error),
            CheckExample("a Static NC interface outside the NC pool is info", Inventory(
                interfaces: [Example.nic("n", "001DD8B71C08")],
                pools: [Example.ncPool("DefaultMacPool", "00-1D-D8-B7-1C-0D", "00-1D-D8-B7-1F-FF")]),
                triggers: ["00-1D-D8-B7-1C-08"], severity: .info),
            CheckExample("a dynamic MAC outside every host pool", Inventory(
                adapters: [Example.vm("A", "00155D990001", dynamic: true)],
                pools: [Example.hostPool("HV01", "00155D010000", "00155D0100FF")]),
                triggers: ["00-15-5D-99-00-01"], severity: .warning),
            CheckExample("a static MAC outside the cluster's plan", Inventory(
                adapters: [Example.vm("A", "021DD8020001")],
                pools: [Pool(name: "plan/C1/HV01", range: PoolPlan.range(prefix: 0x021DD8, clusterByte: 1, hostNibble: 0), kind: .defined, host: "HV01", cluster: "C1")]),
                triggers: ["02-1D-D8-02-00-01"], severity: .warning),
            CheckExample("a static MAC from another host's plan range is in the plan", Inventory(
                adapters: [Example.vm("A", "021DD8011001", host: "HV01")],
                pools: [Pool(name: "plan/C1/HV02", range: PoolPlan.range(prefix: 0x021DD8, clusterByte: 1, hostNibble: 1), kind: .defined, host: "HV02", cluster: "C1")])),
            CheckExample("an NC-managed MAC inside its NC pool is accounted for beside a plan", Inventory(
                adapters: [Example.vm("A", "001DD8B71C21")], interfaces: [Example.nic("a-nic", "001DD8B71C21")],
                pools: [Example.ncPool("DefaultMacPool", "00-1D-D8-B7-1C-00", "00-1D-D8-B7-1F-FF"),
                        Pool(name: "plan/C1/HV01", range: PoolPlan.range(prefix: 0x021DD8, clusterByte: 1, hostNibble: 0), kind: .defined, host: "HV01", cluster: "C1")])),
            CheckExample("a dynamic MAC in its own host's range is accounted for beside a plan", Inventory(
                adapters: [Example.vm("A", "00155D010001", dynamic: true)],
                pools: [Example.hostPool("HV01", "00155D010000", "00155D0100FF"),
                        Pool(name: "plan/C1/HV01", range: PoolPlan.range(prefix: 0x021DD8, clusterByte: 1, hostNibble: 0), kind: .defined, host: "HV01", cluster: "C1")])),
            CheckExample("a host vNIC with its physical NIC's MAC is exempt", Inventory(
                adapters: [Adapter(host: "HV01", cluster: "C1", name: "SMB1", mac: Example.mac("B88303589188"), dynamicMAC: nil, isManagementOS: true)],
                pools: [Pool(name: "plan/C1/HV01", range: PoolPlan.range(prefix: 0x021DD8, clusterByte: 1, hostNibble: 0), kind: .defined, host: "HV01", cluster: "C1")])),
            CheckExample("a strict plan wants even an NC pool's MAC inside it", Inventory(
                adapters: [Example.vm("A", "001DD8B71C21")], interfaces: [Example.nic("a-nic", "001DD8B71C21")],
                pools: [Example.ncPool("DefaultMacPool", "00-1D-D8-B7-1C-00", "00-1D-D8-B7-1F-FF"),
                        Pool(name: "plan/C1/HV01", range: PoolPlan.range(prefix: 0x021DD8, clusterByte: 1, hostNibble: 0), kind: .defined, host: "HV01",
                             cluster: "C1", strict: true)]),
                triggers: ["00-1D-D8-B7-1C-21"], severity: .warning),
            CheckExample("a dynamic MAC inside its host's pool", Inventory(
                adapters: [Example.vm("A", "00155D010001", dynamic: true)],
                pools: [Example.hostPool("HV01", "00155D010000", "00155D0100FF")])),
        ])

    public func findings(in snapshot: Snapshot, rules: Rules) -> [Finding] {
        let index = PoolIndex(snapshot.pools)
        let clustersWithNCPools = Set(snapshot.pools.filter { $0.kind == .controller }.compactMap(\.cluster))
        let defined = snapshot.pools.filter { $0.kind == .defined }
        let clustersWithDefined = Set(defined.map { $0.cluster ?? "*" })
        let strictClusters = Set(defined.filter(\.strict).map { $0.cluster ?? "*" })
        let hostsWithPools = Set(snapshot.pools.filter { $0.kind == .hostDynamic }.compactMap { $0.host.map(HostName.key) })
        // Where each cluster's defined pools come from (`rules/pools.yaml`, the pool database), for the message.
        var definedSources: [String: Set<String>] = [:]
        for p in defined { definedSources[p.cluster ?? "*", default: []].insert(p.source.path) }
        let sourceText = Dictionary(uniqueKeysWithValues: Set(defined.compactMap(\.cluster)).map { cluster in
            (cluster, definedSources[cluster, default: []].union(definedSources["*", default: []]).sorted().joined(separator: ", "))
        })
        let fleetSources = definedSources["*", default: []].sorted().joined(separator: ", ")
        // A messy fleet's first audit has a finding here for tens of percent of its holders: the
        // holders are judged on all cores, a chunk at a time.
        let holders = snapshot.holders
        let sendableSources = sourceText, sendableFleetSources = fleetSources
        return concurrentChunks(holders.count, chunk: 1 << 14) { range in
            range.compactMap { judge(holders[$0], index: index, clustersWithNCPools: clustersWithNCPools, clustersWithDefined: clustersWithDefined,
                                     strictClusters: strictClusters, hostsWithPools: hostsWithPools, rules: rules) { sendableSources[$0] ?? sendableFleetSources } }
        }
    }

    /// The finding about one holder, if its MAC lies outside the pool it should come from.
    private func judge(_ holder: Holder, index: PoolIndex, clustersWithNCPools: Set<String>, clustersWithDefined: Set<String>,
                       strictClusters: Set<String>, hostsWithPools: Set<String>, rules: Rules, sources: (String) -> String) -> Finding? {
        guard let mac = holder.mac.address else { return nil }
        let containing = index.pools(containing: mac)
        func inside(_ kind: PoolKind, or other: PoolKind? = nil) -> Bool {
            containing.contains { ($0.kind == kind || $0.kind == other) && ($0.cluster == nil || $0.cluster == holder.cluster) }
        }
        if holder.allocation == .dynamic, clustersWithNCPools.contains(holder.cluster), !inside(.controller) {
            return finding(.ncDynamic, mac, holder, "is Dynamic in the Network Controller but outside every NC macPool of its cluster", rules)
        }
        let inDefined = inside(.defined, or: .suggested)
        if clustersWithDefined.contains(holder.cluster) || clustersWithDefined.contains("*"), !inDefined, !holder.isManagementOS {
            let strict = strictClusters.contains(holder.cluster) || strictClusters.contains("*")
            // Pools defined in rules add to where a MAC may come from: an NC-managed MAC inside
            // its NC pool, or a dynamic MAC inside its own host's range, is accounted for.
            // A Static NC interface's MAC is the controller's record, outside every allocator's
            // range (`nc-static` says so at info).
            let accounted = (holder.hasInterface && (inside(.controller) || holder.allocation == .static))
                || (holder.dynamicMAC == true && containing.contains {
                    $0.kind == .hostDynamic && $0.host.map(HostName.key) == HostName.key(holder.host)
                })
            if strict || !accounted {
                let why = strict && accounted ? "; the rollout is strict, so it moves into the plan" : ""
                return finding(.defined, mac, holder, "is outside every pool defined for cluster '\(holder.cluster)' (in \(sources(holder.cluster)))\(why)", rules)
            }
        }
        // An SDN-managed dynamic MAC came from the NC, not the host: `dynamic-mac-on-sdn` reports it.
        if holder.dynamicMAC == true, !holder.isControllerManaged, hostsWithPools.contains(HostName.key(holder.host)),
           !containing.contains(where: { $0.kind == .hostDynamic }) {
            return finding(.hostDynamic, mac, holder, "is a Hyper-V dynamic MAC outside every host's MacAddressMinimum…Maximum", rules)
        }
        if let allocation = holder.allocation, allocation != .dynamic, clustersWithNCPools.contains(holder.cluster),
           !inside(.controller), !inDefined {
            return finding(.ncStatic, mac, holder, "is Static in the Network Controller and outside every NC macPool (normal for infrastructure NICs)", rules)
        }
        return nil
    }

    private func finding(_ variant: Variant, _ mac: MACAddress, _ holder: Holder, _ what: String, _ rules: Rules) -> Finding? {
        let subject = holder.subject
        return Self.info.finding(variant, mac: mac, message: "\(mac) of \(subject.label) \(what)", holders: [holder], subjects: [subject], rules: rules)
    }
}

extension CheckID {
    public static let outOfPool = CheckID("out-of-pool")
}
