import MACAuditModel
import MACAuditIngest
/// A VM adapter or NC interface with a universal MAC of a vendor outside the expected ones
/// (`rules/ouis.yaml`, and the OUI of every pool): a VM imported from elsewhere that kept a physical
/// NIC's or another hypervisor's MAC. The real NIC is somewhere on the network. Host vNICs carry their
/// physical NIC's MAC and are exempt. Skipped without a registry.
public struct ForeignOUICheck: Check {
    public init() {}

    public static let info = CheckInfo(
        id: .foreignOUI,
        summary: "a VM's universal MAC belongs to another vendor",
        rationale: "A VM holding a physical NIC's or another hypervisor's MAC collides with that NIC or VM wherever both reach one segment.",
        severity: .warning,
        remedy: .move,
        examples: [
            CheckExample("a VM with a Cisco NIC's MAC", Inventory(adapters: [Example.vm("A", "F4BD9E000001")]), rules: Example.registryRules,
                         triggers: ["F4-BD-9E-00-00-01"]),
            CheckExample("Hyper-V's own OUI", Inventory(adapters: [Example.vm("A", "00155D000001")]), rules: Example.registryRules),
            CheckExample("a host vNIC with its physical NIC's MAC", Inventory(adapters: [
                Adapter(host: "HV01", cluster: "C1", name: "SMB1", mac: Example.mac("F4BD9E000001"), dynamicMAC: nil, isManagementOS: true)]),
                rules: Example.registryRules),
            CheckExample("another vendor's OUI inside a pool is expected", Inventory(
                adapters: [Example.vm("A", "F4BD9E000001")], pools: [Example.hostPool("HV01", "F4BD9E000000", "F4BD9E0000FF")]),
                rules: Example.registryRules),
            CheckExample("an unregistered block is the other check's", Inventory(adapters: [Example.vm("A", "A83D7E000001")]), rules: Example.registryRules),
        ])

    public func findings(in snapshot: Snapshot, rules: Rules) -> [Finding] {
        guard let registry = rules.registry else { return [] }
        let expected = Set(rules.expectedOUIs.map(\.oui) + snapshot.pools.flatMap { [$0.range.lower.oui, $0.range.upper.oui] })
        // A MAC a reserved prefix names (VRRP, NLB, another hypervisor's OUI) is `reserved-prefix`'s.
        let reserved = ReservedPrefixIndex(rules.reservedPrefixes.filter { $0.severity >= .warning })
        return snapshot.holders.compactMap { holder in
            guard let mac = holder.vendorMAC, !expected.contains(mac.oui), reserved.firstMatch(mac) == nil,
                  let entry = registry.lookup(mac) else { return nil }
            return Self.info.finding(mac: mac,
                                     message: "\(mac) of \(holder.label) is a universal MAC of \(entry.vendor) (\(entry.registry) \(entry.block.lower)/\(entry.bits)), not of an expected vendor (rules/ouis.yaml): a physical NIC's or another system's MAC",
                                     holders: [holder], rules: rules)
        }
    }
}

extension CheckID {
    public static let foreignOUI = CheckID("foreign-oui")
}
