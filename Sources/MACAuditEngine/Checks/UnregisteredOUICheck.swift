import Foundation
import MACAuditModel
import MACAuditIngest
/// A universal MAC (U/L bit clear) whose block no IEEE registry assigns: a made-up address. Random
/// generators that draw all 48 bits leave the U/L bit clear half the time, and admins who spell a
/// VM's IPv4 address into a MAC invent OUIs; such a MAC can equal a real vendor's NIC tomorrow.
/// Skipped without a registry (the report says which registry was used, or none).
public struct UnregisteredOUICheck: Check {
    public init() {}

    public static let info = CheckInfo(
        id: .unregisteredOUI,
        summary: "a universal MAC whose block no IEEE registry assigns",
        rationale: "A universal MAC belongs to the vendor the IEEE assigned its block to; a made-up one collides with real hardware sooner or later.",
        severity: .warning,
        remedy: .move,
        examples: [
            CheckExample("a made-up universal MAC", Inventory(adapters: [Example.vm("A", "A83D7E000001")]), rules: Example.registryRules,
                         triggers: ["A8-3D-7E-00-00-01"]),
            CheckExample("Hyper-V's OUI is registered", Inventory(adapters: [Example.vm("A", "00155D000001")]), rules: Example.registryRules),
            CheckExample("a 36-bit block inside an unregistered OUI", Inventory(adapters: [Example.vm("A", "70B3D5F2F001")]), rules: Example.registryRules),
            CheckExample("locally administered MACs are not the registry's", Inventory(adapters: [Example.vm("A", "021DD8000001")]), rules: Example.registryRules),
            CheckExample("no registry, no judgement", Inventory(adapters: [Example.vm("A", "A83D7E000001")])),
        ])

    public func findings(in snapshot: Snapshot, rules: Rules) -> [Finding] {
        guard let registry = rules.registry else { return [] }
        return snapshot.holders.compactMap { holder in
            guard let mac = holder.vendorMAC, registry.lookup(mac) == nil else { return nil }
            return Self.info.finding(mac: mac,
                                     message: "\(mac) of \(holder.label) is a universal MAC whose block no registry assigns (\(registry.label)): a made-up address",
                                     holders: [holder], rules: rules)
        }
    }
}

extension CheckID {
    public static let unregisteredOUI = CheckID("unregistered-oui")
}

extension Holder {
    /// The MAC the vendor checks judge: a valid universal unicast MAC of anything but a host vNIC
    /// (which carries its physical NIC's MAC); nil otherwise.
    var vendorMAC: MACAddress? {
        guard let mac = mac.address, !mac.isLocal, !mac.isGroup, !isManagementOS else { return nil }
        return mac
    }
}

extension OUIRegistry {
    /// `ieee-data 2022-08-27, wireshark-manuf 2024-08-28`, for messages and report footers.
    public var label: String {
        let day = DateFormatter()
        day.dateFormat = "yyyy-MM-dd"
        day.timeZone = TimeZone(identifier: "UTC")
        return Dictionary(grouping: sources, by: \.kind).sorted { $0.key < $1.key }
            .map { "\($0.key) \(day.string(from: $0.value.map(\.date).max()!))" }.joined(separator: ", ")
    }
}
