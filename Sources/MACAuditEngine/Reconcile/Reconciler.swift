import MACAuditModel
import MACAuditIngest
/// The reconciled picture the checks read: every MAC holder once, every pool, and what the inputs
/// covered (a check about NC interfaces without adapters only makes sense where adapters were exported).
public struct Snapshot: Sendable {
    public var holders: [Holder]
    public var pools: [Pool]
    /// Clusters with at least one adapter export / NC interface export.
    public var clustersWithAdapters: Set<String>
    public var clustersWithInterfaces: Set<String>
    /// Lower-cased switch ids the NC knows as servers (SDN Express: server resourceId = vSwitch id).
    public var controllerSwitchIds: Set<String>
    /// What the captures showed, when the audit read any.
    public var wire: WireSnapshot?
    /// The pool database's pending reservations, when the audit has a database.
    public var reservations: [Reservation] = []

    /// The clusters of the inputs, when the audit has a pool database: its holders of other
    /// clusters take part only in findings that involve this run's clusters.
    public var auditedClusters: Set<String>? = nil

    /// How many of `holders` this run read; those the pool database added follow them.
    public var inputHolderCount: Int

    /// The holders this run read (not those the pool database added).
    public var inputHolders: ArraySlice<Holder> { holders[..<inputHolderCount] }

    /// How many holders the pool database added.
    public var recordedCount: Int { holders.count - inputHolderCount }

    /// Whether a holder belongs to what this run audits: one it read, or one the database added
    /// in an audited cluster (a host whose export is late).
    public func isAudited(_ h: Holder) -> Bool {
        h.recorded == nil || (auditedClusters?.contains(h.cluster) ?? true)
    }

    /// The holders of the audited clusters: reports count these.
    public var auditedHolders: [Holder] { recordedCount == 0 ? holders : holders.filter(isAudited) }
}

/// Joins adapters, port profiles and NC interfaces into holders.
///
/// Order of joins, as SDN itself works: port profile ⇄ adapter by VM, adapter name and MAC; adapter ⇄
/// interface by ProfileId = `{instanceId}`; what is left by MAC within a cluster when exactly one
/// interface has it. An adapter reported by two hosts with the same `Id` (a live migration during
/// the export) is one holder.
public enum Reconciler {
    /// `recorded`: holders of the pool database this run does not cover; they follow the inputs'
    /// holders in `Snapshot.holders`.
    public static func reconcile(_ inventory: Inventory, extraPools: [Pool] = [], wire: WireSnapshot? = nil,
                                 recorded: [RecordedHolder] = [], reservations: [Reservation] = []) -> Snapshot {
        snapshot(join(inventory), inventory, extraPools: extraPools, wire: wire, recorded: recorded, reservations: reservations)
    }

    /// The snapshot of the inputs' holders (``join(_:)``) with the database's holders that follow
    /// them, the pools and what else the checks read.
    public static func snapshot(_ joined: [Holder], _ inventory: Inventory, extraPools: [Pool] = [], wire: WireSnapshot? = nil,
                                recorded: [RecordedHolder] = [], reservations: [Reservation] = []) -> Snapshot {
        var holders = joined
        let inputHolderCount = holders.count
        for r in recorded { holders.append(Holder(recorded: r, position: holders.count)) }
        return Snapshot(
            holders: holders,
            pools: inventory.pools + extraPools,
            clustersWithAdapters: Set(runs: inventory.adapters.lazy.map(\.cluster)),
            clustersWithInterfaces: Set(runs: inventory.interfaces.lazy.map(\.cluster)),
            controllerSwitchIds: Set(inventory.servers.map(\.resourceId)),
            wire: wire, reservations: reservations, inputHolderCount: inputHolderCount)
    }

    /// The inputs' holders: adapters joined to their port profiles and NC interfaces, then the
    /// interfaces no adapter claims. Needs nothing from the database.
    public static func join(_ inventory: Inventory) -> [Holder] {
        let distinct = distinctAdapters(inventory.adapters)
        let adapters = distinct.positions.count == inventory.adapters.count
            ? inventory.adapters : distinct.positions.map { inventory.adapters[Int($0)] }
        let profiles = profilesByAdapter(adapters, inventory.portProfiles)
        var interfaceTaken = [Bool](repeating: false, count: inventory.interfaces.count)
        var linked: [(Int?, Holder.Link)] = Array(repeating: (nil, .none), count: adapters.count)

        // 1. By port profile (the index of instance ids only when there are profiles to join).
        var interfacesByInstance = StringIndex(capacity: inventory.portProfiles.isEmpty ? 0 : inventory.interfaces.count)
        if !inventory.portProfiles.isEmpty {
            for (j, nic) in inventory.interfaces.enumerated() { if let id = nic.instanceId { interfacesByInstance.add(id, at: j) } }
        }
        for (i, profile) in profiles.enumerated() {
            guard let profile, !profile.isNullProfile, let id = profile.profileId else { continue }
            let candidates = interfacesByInstance.positions(of: id)
            if let j = candidates.first(where: { !interfaceTaken[$0] }) ?? candidates.first {
                linked[i] = (j, .portProfile)
                interfaceTaken[j] = true
            }
        }
        // 2. By MAC within the cluster, only when exactly one free interface has it.
        var clusters = ClusterNumbers()
        var freeByMAC = FlatIndex<Key2>(capacity: inventory.interfaces.count)
        let several = Int32.max
        for (j, nic) in inventory.interfaces.enumerated() where !interfaceTaken[j] {
            guard let mac = nic.mac.address else { continue }
            let key = Key2(a: mac.value | 1 << 48, b: clusters.number(nic.cluster))
            let (first, isNew) = freeByMAC.findOrInsert(key) { Int32(j) }
            if !isNew && first != several { freeByMAC.set(key, several) }
        }
        // Lookups on all cores (read-only), then the links in adapter order.
        let table = freeByMAC, numbers = clusters, linkedSoFar = linked
        let candidates = concurrentChunks(adapters.count) { range in
            var numbers = numbers
            return range.map { i -> Int32 in
                guard linkedSoFar[i].0 == nil, let mac = adapters[i].mac.address,
                      let cluster = numbers.known(adapters[i].cluster),
                      let j = table.find(Key2(a: mac.value | 1 << 48, b: cluster)), j != several else { return -1 }
                return j
            }
        }
        for (i, j) in candidates.enumerated() where j >= 0 && !interfaceTaken[Int(j)] {
            linked[i] = (Int(j), .mac)
            interfaceTaken[Int(j)] = true
        }

        let subnets = Dictionary(inventory.subnets.map { ($0.ref, $0) }, uniquingKeysWith: { a, _ in a })
        let serverHosts = serverHostNames(inventory.servers)
        var holders: [Holder] = []
        holders.reserveCapacity(adapters.count + inventory.interfaces.count)
        // One holder per adapter, built on all cores in chunks (each with its own switch-key cache).
        let linkedNow = linked
        holders += concurrentChunks(adapters.count) { range in
            var switchKeys = SwitchKeys()
            var segments = Segments(subnets: subnets)
            return range.map { i in
                let nic = linkedNow[i].0.map { inventory.interfaces[$0] }
                let a = adapters[i]
                return Holder(
                    adapter: a, interface: nic, profile: profiles[i], link: linkedNow[i].1, host: a.host, cluster: a.cluster,
                    switchKey: switchKeys.key(host: a.host, switch: a.switchId ?? a.switchName ?? ""),
                    segment: segments.name(adapter: a, interface: nic),
                    alsoReportedBy: distinct.alsoReportedBy.isEmpty ? [] : distinct.alsoReportedBy[distinct.positions[i]] ?? [],
                    position: i)
            }
        }
        var segments = Segments(subnets: subnets)
        for (j, nic) in inventory.interfaces.enumerated() where !interfaceTaken[j] {
            holders.append(Holder(
                adapter: nil, interface: nic, profile: nil, link: .none,
                host: nic.serverId.flatMap { serverHosts[$0] } ?? "", cluster: nic.cluster, switchKey: nil,
                segment: segments.name(adapter: nil, interface: nic), position: holders.count))
        }
        return holders
    }

    /// `host/switch` keys, built once per pair: a fleet has thousands of switches and a million adapters.
    struct SwitchKeys {
        struct Pair: Hashable { var host: String; var `switch`: String }
        var cache: [Pair: String] = [:]

        var last: (Pair, String)?

        mutating func key(host: String, switch sw: String) -> String {
            let pair = Pair(host: host, switch: sw)
            if let last, last.0 == pair { return last.1 }
            if let k = cache[pair] { last = (pair, k); return k }
            let k = "\(HostName.key(host))/\(sw)"
            cache[pair] = k
            last = (pair, k)
            return k
        }
    }

    /// Small numbers for cluster names, for integer join keys. Inputs come cluster by cluster, so
    /// the last answer is usually the next one.
    struct ClusterNumbers {
        var numbers: [String: UInt64] = [:]
        var last: (String, UInt64)?

        /// The number of a cluster already numbered; nil for one never seen.
        mutating func known(_ cluster: String) -> UInt64? {
            if let last, last.0 == cluster { return last.1 }
            guard let n = numbers[cluster] else { return nil }
            last = (cluster, n)
            return n
        }

        mutating func number(_ cluster: String) -> UInt64 {
            if let n = known(cluster) { return n }
            let n = UInt64(numbers.count)
            numbers[cluster] = n
            last = (cluster, n)
            return n
        }
    }

    /// The adapters of an inventory with each reported once: an adapter that several hosts reported
    /// (same `Id`, a live migration during the export) is kept at its first report.
    struct DistinctAdapters {
        /// Positions in the inventory of the adapters kept, in order.
        var positions: [Int32] = []
        /// The other hosts that reported the adapter at a position; most positions have none.
        var alsoReportedBy: [Int32: [String]] = [:]
    }

    static func distinctAdapters(_ adapters: [Adapter]) -> DistinctAdapters {
        var out = DistinctAdapters()
        out.positions.reserveCapacity(adapters.count)
        // Adapter id fingerprint → index in `positions`; equal fingerprints are checked against the
        // ids themselves, and a collision of different ids probes on under a derived fingerprint.
        var seen = FlatIndex<Key1>(capacity: adapters.count, dense: true)
        // Fingerprints on all cores first (reading a million ids is most of the work); 0: no id.
        let fingerprints = concurrentChunks(adapters.count) { range in
            adapters[range].map { $0.id.map { StringFingerprint.of($0).a } ?? 0 }
        }
        for (i, fingerprint) in fingerprints.enumerated() {
            guard fingerprint != 0 else { out.positions.append(Int32(i)); continue }
            var key = Key1(a: fingerprint)
            while true {
                let (k, isNew) = seen.findOrInsert(key) { Int32(out.positions.count) }
                if isNew { out.positions.append(Int32(i)); break }
                // Hyper-V writes an adapter's Id in one case everywhere, so it is compared as written.
                let position = out.positions[Int(k)], first = adapters[Int(position)], again = adapters[i]
                if first.id == again.id {
                    if HostName.key(first.host) != HostName.key(again.host) { out.alsoReportedBy[position, default: []].append(again.host) }
                    break
                }
                key.a = (key.a &+ 0x9E37_79B9_7F4A_7C15) | 1
            }
        }
        return out
    }

    /// The port profile of each adapter, matched by VM name (case-insensitive) and MAC, and by
    /// adapter name and host when they tell two candidates apart.
    ///
    /// Every SDN host exports a profile per adapter, so this join is as large as the fleet: the
    /// profiles are filed in one flat table under a fingerprint of (lower-cased VM name, MAC), with
    /// the profiles that share one chained behind it, and the adapters look theirs up on all cores.
    static func profilesByAdapter(_ adapters: [Adapter], _ profiles: [PortProfile]) -> [PortProfile?] {
        guard !profiles.isEmpty else { return Array(repeating: nil, count: adapters.count) }
        var table = FlatIndex<Key2>(capacity: profiles.count, dense: true)
        // Per profile: the next profile under the same key, and (for a chain's first) its last.
        var next = [Int32](repeating: -1, count: profiles.count), tail = next
        for (i, p) in profiles.enumerated() {
            guard case .valid(let mac) = p.mac else { continue }
            let (head, isNew) = table.findOrInsert(profileKey(vm: p.vmName, mac: mac.value)) { Int32(i) }
            if isNew { tail[i] = Int32(i); continue }
            next[Int(tail[Int(head)])] = Int32(i)
            tail[Int(head)] = Int32(i)
        }
        let index = table, chained = next
        return concurrentChunks(adapters.count) { range in
            range.map { i -> PortProfile? in
                let a = adapters[i]
                guard let vm = a.vmName, case .valid(let mac) = a.mac, let head = index.find(profileKey(vm: vm, mac: mac.value)) else { return nil }
                var candidates: [PortProfile] = []
                var position = head
                while position >= 0 {
                    let p = profiles[Int(position)]
                    if case .valid(let pm) = p.mac, pm.value == mac.value, sameName(p.vmName, vm) { candidates.append(p) }
                    position = chained[Int(position)]
                }
                return candidates.first { p in
                    p.adapterName.caseInsensitiveEquals(a.name) && (p.host.map { HostName.key($0) == HostName.key(a.host) } ?? true)
                } ?? candidates.first { $0.adapterName.caseInsensitiveEquals(a.name) } ?? candidates.first
            }
        }
    }

    /// The join key of a profile or adapter: its lower-cased VM name's fingerprint mixed with the MAC.
    static func profileKey(vm: String, mac: UInt64) -> Key2 {
        let needsFolding = vm.utf8.contains { ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) || $0 >= 0x80 }
        let f = StringFingerprint.of(needsFolding ? vm.lowercased() : vm)
        return Key2(a: (f.a ^ (mac &* 0x9E37_79B9_7F4A_7C15)) | 1, b: f.b &+ mac)
    }

    /// VM names compared as `lowercased()` compares them, without allocating for ASCII names.
    static func sameName(_ x: String, _ y: String) -> Bool {
        x.caseInsensitiveEquals(y) || (x.utf8.contains { $0 >= 0x80 } && x.lowercased() == y.lowercased())
    }

    /// The L2 segment: the NC subnet when the interface has one (its VLAN for logical networks),
    /// else the adapter's access VLAN or virtual subnet, else untagged (`vlan:0`). Each distinct
    /// name is built once: a million holders share a few thousand segments.
    struct Segments {
        let subnets: [String: ControllerSubnet]
        private var bySubnet: [String: String] = [:]
        private var byVLAN: [Int: String] = [:]
        private var byVSID: [Int: String] = [:]

        init(subnets: [String: ControllerSubnet]) { self.subnets = subnets }

        mutating func name(adapter: Adapter?, interface: ControllerInterface?) -> String {
            if let ref = interface?.subnetRef {
                if let known = bySubnet[ref] { return known }
                let name: String
                let subnet = subnets[ref]
                if let vlan = subnet?.vlan {
                    name = "vlan:\(vlan)"
                } else if let vsid = subnet?.virtualSubnetId {
                    name = "vsid:\(vsid)"
                } else {
                    name = "subnet:\(ref)"
                }
                bySubnet[ref] = name
                return name
            }
            if let vsid = adapter?.virtualSubnetId { return Self.cached(vsid, in: &byVSID) { "vsid:\($0)" } }
            return Self.cached(adapter?.vlan ?? 0, in: &byVLAN) { "vlan:\($0)" }
        }

        private static func cached(_ n: Int, in cache: inout [Int: String], _ make: (Int) -> String) -> String {
            if let known = cache[n] { return known }
            let name = make(n)
            cache[n] = name
            return name
        }
    }

    /// Server id → the short host name of its first management address.
    static func serverHostNames(_ servers: [ControllerServer]) -> [String: String] {
        var out: [String: String] = [:]
        for s in servers {
            if let address = s.managementAddresses.first { out[s.resourceId] = address.split(separator: ".").first.map(String.init) ?? address }
        }
        return out
    }
}
