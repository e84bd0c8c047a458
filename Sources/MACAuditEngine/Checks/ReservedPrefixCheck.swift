import MACAuditModel
import MACAuditIngest
/// A holder's MAC lies in a range reserved for something else (`rules/reserved-prefixes.yaml`):
/// IANA and VRRP addresses, FHRP virtual MACs, Windows NLB cluster MACs, other hypervisors' OUIs,
/// the IEEE 802c reserved SLAP quadrant. Each entry carries its own severity and reason.
/// Group (multicast) addresses are left to `group-bit`, which names their reserved range.
public struct ReservedPrefixCheck: Check {
    public init() {}

    static let exampleRules = Rules(reservedPrefixes: [
        ReservedPrefix(name: "VRRP IPv4", match: .range(ReservedPrefix.range(prefix: "00-00-5E-00-01")!), severity: .error,
                       reason: "VRRP virtual router MAC"),
        ReservedPrefix(name: "VMware", match: .range(ReservedPrefix.range(prefix: "00-50-56")!), severity: .warning,
                       reason: "another hypervisor's OUI"),
        ReservedPrefix(name: "SLAP reserved", match: .quadrant(.reserved), severity: .info, reason: "IEEE 802c reserved quadrant"),
    ])

    public static let info = CheckInfo(
        id: .reservedPrefix,
        summary: "a MAC lies in a reserved or special-purpose range",
        rationale: "Addresses in reserved ranges belong to protocols (VRRP, HSRP, NLB) or other vendors and collide with them on the segment.",
        severity: .warning,
        remedy: .move,
        examples: [
            CheckExample("a VRRP address on a VM", Inventory(adapters: [Example.vm("A", "00005E000114")]), rules: exampleRules,
                         triggers: ["00-00-5E-00-01-14"], severity: .error),
            CheckExample("a VMware OUI", Inventory(interfaces: [Example.nic("n", "005056AA0001")]), rules: exampleRules,
                         triggers: ["00-50-56-AA-00-01"], severity: .warning),
            CheckExample("the reserved SLAP quadrant", Inventory(adapters: [Example.vm("A", "06EC00000101")]), rules: exampleRules,
                         triggers: ["06-EC-00-00-01-01"], severity: .info),
            CheckExample("an administratively assigned local MAC", Inventory(adapters: [Example.vm("A", "021DD8000101")]), rules: exampleRules),
            CheckExample("a Hyper-V MAC", Inventory(adapters: [Example.vm("A", "00155D000101")]), rules: exampleRules),
        ])

    public func findings(in snapshot: Snapshot, rules: Rules) -> [Finding] {
        guard !rules.reservedPrefixes.isEmpty else { return [] }
        let index = ReservedPrefixIndex(rules.reservedPrefixes)
        return snapshot.holders.compactMap { holder in
            guard let mac = holder.mac.address, !mac.isGroup, let entry = index.firstMatch(mac) else { return nil }
            return Self.info.finding(severity: entry.severity, mac: mac,
                                     message: "\(mac) of \(holder.label) is in '\(entry.name)': \(entry.reason)",
                                     holders: [holder], rules: rules)
        }
    }
}

extension CheckID {
    public static let reservedPrefix = CheckID("reserved-prefix")
}
