import MACAuditModel
/// The seed plan of MAC allocation: a 24-bit prefix, a cluster byte, a host nibble and a 12-bit VM
/// number. Every host of every cluster gets its own 4,096 addresses and no two hosts can collide:
///
///     prefix (24 bits) | cluster (8) | host (4) | VM number (12)
///     02-1D-D8         | 01          | 3        | 000…FFF      → host 3 of cluster 1: 02-1D-D8-01-30-00…02-1D-D8-01-3F-FF
public struct PoolPlan: Hashable, Sendable {
    public var name: String
    /// The 24-bit prefix, as the top three octets.
    public var prefix: UInt32
    /// Cluster name → cluster byte.
    public var clusters: [PlanCluster]
    /// `strict: true`: every holder of the plan's clusters is expected inside it (a rollout).
    public var strict: Bool

    public struct PlanCluster: Hashable, Sendable {
        public var name: String
        public var byte: UInt8
        /// Host name → host nibble (0…15).
        public var hosts: [(name: String, nibble: UInt8)]

        public init(name: String, byte: UInt8, hosts: [(name: String, nibble: UInt8)]) {
            self.name = name; self.byte = byte; self.hosts = hosts
        }

        public static func == (a: PlanCluster, b: PlanCluster) -> Bool {
            a.name == b.name && a.byte == b.byte && a.hosts.map(\.name) == b.hosts.map(\.name) && a.hosts.map(\.nibble) == b.hosts.map(\.nibble)
        }

        public func hash(into h: inout Hasher) { h.combine(name); h.combine(byte) }
    }

    public init(name: String, prefix: UInt32, clusters: [PlanCluster], strict: Bool = false) {
        self.name = name; self.prefix = prefix; self.clusters = clusters; self.strict = strict
    }

    /// Every address the plan can hand out: its 24-bit prefix.
    public var span: MACRange {
        MACRange(MACAddress(uncheckedValue: UInt64(prefix) << 24), MACAddress(uncheckedValue: UInt64(prefix) << 24 | 0xFF_FFFF))!
    }

    /// The pool name of one host of the plan: `plan/cluster/host`.
    public func poolName(cluster: String, host: String) -> String { "\(name)/\(cluster)/\(host)" }

    /// The range of one host: 4,096 addresses.
    public static func range(prefix: UInt32, clusterByte: UInt8, hostNibble: UInt8) -> MACRange {
        let base = UInt64(prefix) << 24 | UInt64(clusterByte) << 16 | UInt64(hostNibble & 0xF) << 12
        return MACRange(MACAddress(uncheckedValue: base), MACAddress(uncheckedValue: base | 0xFFF))!
    }

    /// One pool per host of every cluster in the plan (`kind` `.suggested` for a plan not yet in the rules).
    public func pools(source: SourceLocation, kind: PoolKind = .defined) -> [Pool] {
        clusters.flatMap { cluster in
            cluster.hosts.map { host in
                Pool(name: poolName(cluster: cluster.name, host: host.name),
                     range: Self.range(prefix: prefix, clusterByte: cluster.byte, hostNibble: host.nibble),
                     kind: kind, host: host.name, cluster: cluster.name, source: source, strict: strict)
            }
        }
    }
}

/// Reads `rules/pools.yaml`: explicit `pools` and seed-plan `plans`.
enum PoolDefinitions {
    static func load(_ doc: YAMLFields) throws -> (pools: [Pool], plans: [PoolPlan]) {
        try doc.allowOnly(["version", "pools", "plans"])
        try RuleVersion.check(doc)
        var pools: [Pool] = [], plans: [PoolPlan] = []
        for item in try doc.list("pools") {
            try item.allowOnly(["name", "first", "last", "scope", "cluster", "host", "strict"])
            let name = try item.requiredString("name")
            guard let first = try item.mac("first"), let last = try item.mac("last"), let range = MACRange(first, last) else {
                throw RuleError(file: item.file, line: item.line, message: "pool '\(name)' needs 'first' and 'last', with last at or above first")
            }
            let scope = try item.string("scope") ?? "fleet"
            guard ["host", "cluster", "fleet"].contains(scope) else {
                throw item.error("scope", item.node("scope")!, "'\(scope)' is not host, cluster or fleet")
            }
            let host = try item.string("host"), cluster = try item.string("cluster")
            if scope == "host" && host == nil { throw RuleError(file: item.file, line: item.line, message: "pool '\(name)' has scope host but no 'host'") }
            if scope == "cluster" && cluster == nil { throw RuleError(file: item.file, line: item.line, message: "pool '\(name)' has scope cluster but no 'cluster'") }
            pools.append(Pool(name: name, range: range, kind: .defined, host: scope == "host" ? host : nil,
                              cluster: scope == "fleet" ? nil : cluster,
                              source: SourceLocation(path: item.file, record: pools.count + 1, line: item.line ?? 0),
                              strict: try item.bool("strict") ?? false))
        }
        for item in try doc.list("plans") {
            let plan = try loadPlan(item)
            plans.append(plan)
            pools += plan.pools(source: SourceLocation(path: item.file, record: 1, line: item.line ?? 0))
        }
        return (pools, plans)
    }

    static func loadPlan(_ item: YAMLFields) throws -> PoolPlan {
        try item.allowOnly(["name", "prefix", "clusters", "strict"])
        let name = try item.requiredString("name")
        let prefixText = try item.requiredString("prefix")
        guard let prefixRange = ReservedPrefix.range(prefix: prefixText), prefixRange.count == 1 << 24 else {
            throw item.error("prefix", item.node("prefix")!, "'\(prefixText)' must be a 24-bit prefix such as 02-1D-D8")
        }
        let prefix = UInt32(prefixRange.lower.value >> 24)
        if prefix & 0x01_0000 != 0 {
            throw item.error("prefix", item.node("prefix")!, "'\(prefixText)' has the group (multicast) bit set")
        }
        var clusters: [PoolPlan.PlanCluster] = []
        var usedBytes: [UInt8: String] = [:]
        for (clusterName, value, line) in try item.entries("clusters") {
            guard case .mapping(let m) = value else {
                throw RuleError(file: item.file, line: line, message: "plan '\(name)' cluster '\(clusterName)' must be a mapping with 'byte' and 'hosts'")
            }
            let c = YAMLFields(mapping: m, file: item.file, context: "plan '\(name)' cluster '\(clusterName)'")
            try c.allowOnly(["byte", "hosts"])
            guard let text = try c.string("byte"), let byte = parseInteger(text), (0...255).contains(byte) else {
                throw RuleError(file: item.file, line: line, message: "\(c.context) needs a 'byte' from 0 to 255 (0x00–0xFF)")
            }
            if let other = usedBytes[UInt8(byte)] {
                throw RuleError(file: item.file, line: line, message: "\(c.context) reuses byte \(byte) of cluster '\(other)'")
            }
            usedBytes[UInt8(byte)] = clusterName
            var hosts: [(name: String, nibble: UInt8)] = []
            for (hostName, nibbleNode, hostLine) in try c.entries("hosts") {
                guard let n = nibbleNode.string.flatMap(parseInteger), (0...15).contains(n) else {
                    throw RuleError(file: item.file, line: hostLine, message: "\(c.context) host '\(hostName)' needs a nibble from 0 to 15")
                }
                if let dup = hosts.first(where: { $0.nibble == UInt8(n) }) {
                    throw RuleError(file: item.file, line: hostLine, message: "\(c.context) host '\(hostName)' reuses nibble \(n) of host '\(dup.name)'")
                }
                hosts.append((hostName, UInt8(n)))
            }
            clusters.append(.init(name: clusterName, byte: UInt8(byte), hosts: hosts))
        }
        return PoolPlan(name: name, prefix: prefix, clusters: clusters, strict: try item.bool("strict") ?? false)
    }
}
