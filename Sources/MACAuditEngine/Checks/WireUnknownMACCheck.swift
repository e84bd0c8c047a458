import MACAuditModel
import MACAuditIngest
/// A MAC sending on the wire that no exported adapter or NC interface holds. Inside an overlay (a
/// tenant VNI) every MAC should be an NC interface's, so it is a warning there; on a plain VLAN it
/// may be a router or a physical host, so it is listed as info. Group addresses are `wire-group-source`'s.
public struct WireUnknownMACCheck: Check {
    public init() {}

    /// Inside a tenant virtual network (a VNI) or on a plain segment.
    public enum Variant: String, CheckVariant { case tenant, segment }

    public static let info = CheckInfo(
        id: .wireUnknownMAC,
        summary: "a MAC on the wire is in no export",
        rationale: "An unknown MAC is a VM the inventory missed, a rogue guest or a MAC changed inside the guest.",
        severity: .info,
        remedy: .person,
        question: "Which machine is this? Export the host that runs it, or find it on the physical switch.",
        variants: [Variant.tenant: .warning, .segment: .info],
        examples: [
            CheckExample("an unknown tenant MAC", Inventory(adapters: [Example.vm("A", "001DD8B71C10")]),
                         frames: [WireDuplicateCheck.tenantARP("10.10.0.1"),
                                  FrameBuilder.vxlan(outerSource: FrameBuilder.mac("02-00-00-00-00-01"), providerSource: "10.10.0.1", providerDestination: "10.10.0.9", vni: 5001,
                                                     inner: FrameBuilder.arp(sender: FrameBuilder.mac("00-1D-D8-B7-1C-99"), senderIP: "192.168.10.99", targetIP: "192.168.10.1"))],
                         triggers: ["00-1D-D8-B7-1C-99"], severity: .warning),
            CheckExample("every MAC known", Inventory(adapters: [Example.vm("A", "00155D000001")]),
                         frames: [FrameBuilder.arp(sender: FrameBuilder.mac("00-15-5D-00-00-01"), senderIP: "10.0.0.5", targetIP: "10.0.0.1")]),
        ])

    public func findings(in snapshot: Snapshot, rules: Rules) -> [Finding] {
        guard let wire = snapshot.wire, !snapshot.holders.isEmpty else { return [] }
        let known = Set(snapshot.holders.compactMap { $0.mac.address?.value })
        // The outer (provider) side of an overlay is the hosts' own NICs: judge tenant frames only there.
        return wire.table.stations.filter { $0.roles.contains(.source) && !$0.roles.contains(.overlayCarrier) && !$0.mac.isGroup && !known.contains($0.mac.value) }.compactMap { s in
            Self.info.finding(
                s.scope.vni != nil ? Variant.tenant : .segment, mac: s.mac,
                message: "\(s.mac) sent \(s.frames) frame(s) in \(s.scope.label) but no export has it\(s.providers.isEmpty ? "" : " (behind \(s.providers.map(\.address.description).joined(separator: ", ")))")",
                holders: [], extraSubjects: [WireSubjects.station(s)], extraEvidence: [wire.evidence(s.firstFrame)], rules: rules)
        }
    }
}

extension CheckID {
    public static let wireUnknownMAC = CheckID("wire-unknown-mac")
}
