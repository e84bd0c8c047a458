import MACAuditModel
import MACAuditIngest
/// The NC interface's ipConfiguration says one IP, the wire shows its MAC claiming another: a
/// guest configured by hand, or a VM whose NIC was re-created with a new address.
public struct WireIPMismatchCheck: Check {
    public init() {}

    public static let info = CheckInfo(
        id: .wireIPMismatch,
        summary: "a MAC claims an IP its NC interface does not have",
        rationale: "The NC programs policy for its own IPs; traffic for other addresses is dropped or reaches the wrong VM.",
        severity: .warning,
        remedy: .person,
        question: "Does the guest use an IP address the Network Controller does not know? Fix the guest's address or the NC interface's ipConfiguration.",
        examples: [
            CheckExample("the guest uses another address", Inventory(interfaces: [
                ControllerInterface(resourceId: "web01-nic", mac: Example.mac("001DD8B71C10"), ipAddresses: ["192.168.10.11"]),
            ]), frames: [FrameBuilder.arp(sender: FrameBuilder.mac("00-1D-D8-B7-1C-10"), senderIP: "192.168.10.50", targetIP: "192.168.10.1")],
                         triggers: ["00-1D-D8-B7-1C-10"]),
            CheckExample("the guest uses its address", Inventory(interfaces: [
                ControllerInterface(resourceId: "web01-nic", mac: Example.mac("001DD8B71C10"), ipAddresses: ["192.168.10.11"]),
            ]), frames: [FrameBuilder.arp(sender: FrameBuilder.mac("00-1D-D8-B7-1C-10"), senderIP: "192.168.10.11", targetIP: "192.168.10.1")]),
        ])

    public func findings(in snapshot: Snapshot, rules: Rules) -> [Finding] {
        guard let wire = snapshot.wire else { return [] }
        var expected: [UInt64: (Holder, Set<IPAddress>)] = [:]
        for h in snapshot.holders {
            guard let mac = h.mac.address, let nic = h.interface, !nic.ipAddresses.isEmpty else { continue }
            expected[mac.value] = (h, Set(nic.ipAddresses.compactMap(IPAddress.init(parsing:))))
        }
        guard !expected.isEmpty else { return [] }
        let unexpected = wire.table.claims.filter { c in
            guard let (_, ips) = expected[c.mac.value] else { return false }
            return !ips.contains(c.ip) && !(c.ip.isV6 && c.ip.high >> 48 == 0xFE80)  // link-local IPv6 is never in the NC
        }
        return Dictionary(grouping: unexpected, by: { $0.mac.value }).sorted { $0.key < $1.key }.compactMap { value, claims in
            let (holder, ips) = expected[value]!
            let seen = claims.map(\.ip).sorted().map(\.description).joined(separator: ", ")
            return Self.info.finding(
                mac: holder.mac.address,
                message: "\(holder.label) claims \(seen) on the wire, but its NC interface '\(holder.interface!.resourceId)' has \(ips.sorted().map(\.description).joined(separator: ", "))",
                holders: [holder], extraEvidence: claims.map { wire.evidence($0.firstFrame) }, rules: rules)
        }
    }
}

extension CheckID {
    public static let wireIPMismatch = CheckID("wire-ip-mismatch")
}
