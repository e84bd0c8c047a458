import MACAuditModel
import MACAuditIngest
/// A unicast holder with the I/G (group) bit set: the first octet is odd, so the address is
/// multicast or broadcast. SCVMM refuses such pools; switches flood or drop the frames.
public struct GroupBitCheck: Check {
    public init() {}

    public static let info = CheckInfo(
        id: .groupBit,
        summary: "a NIC's MAC has the group (multicast) bit set",
        rationale: "A source MAC with the I/G bit set is invalid on Ethernet: switches will not learn it and traffic to the VM floods or drops.",
        severity: .error,
        remedy: .move,
        examples: [
            CheckExample("first octet 01", Inventory(adapters: [Example.vm("A", "01155D000001")]), triggers: ["01-15-5D-00-00-01"]),
            CheckExample("first octet 03 on an NC interface", Inventory(interfaces: [Example.nic("n", "03BF0A000001")]), triggers: ["03-BF-0A-00-00-01"]),
            CheckExample("locally administered unicast 02", Inventory(adapters: [Example.vm("A", "021DD8000001")])),
        ])

    public func findings(in snapshot: Snapshot, rules: Rules) -> [Finding] {
        snapshot.holders.compactMap { holder in
            guard let mac = holder.mac.address, mac.isGroup else { return nil }
            let what = rules.reservedPrefixes.first { $0.matches(mac) }.map { " ('\($0.name)')" } ?? ""
            return Self.info.finding(mac: mac,
                                     message: "\(mac) of \(holder.label) has the group bit set (first octet \(String(format2: mac.firstOctet)) is odd): it is a multicast address\(what)",
                                     holders: [holder], rules: rules)
        }
    }
}

extension String {
    /// Two upper-case hex digits.
    init(format2 byte: UInt8) {
        self = String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
    }
}

extension CheckID {
    public static let groupBit = CheckID("group-bit")
}
