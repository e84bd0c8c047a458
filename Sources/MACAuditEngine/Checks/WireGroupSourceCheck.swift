import MACAuditModel
import MACAuditIngest
/// A frame on the wire whose Ethernet source has the group bit set. No NIC may send from a
/// multicast address; arpwatch never flags it. Usually a misconfigured static MAC or a broken
/// appliance; switches will not learn it.
public struct WireGroupSourceCheck: Check {
    public init() {}

    public static let info = CheckInfo(
        id: .wireGroupSource,
        summary: "a frame's Ethernet source is a group (multicast) address",
        rationale: "A group address as source is invalid; the sender cannot be reached and may flood the segment.",
        severity: .error,
        remedy: .person,
        question: "Which device sends frames from a group address? Find it by the switch port the frames arrive on; no station may use that MAC as its source.",
        examples: [
            CheckExample("an ARP from 01-15-5D-…", frames: [FrameBuilder.arp(sender: FrameBuilder.mac("01-15-5D-00-00-01"), senderIP: "10.0.0.9", targetIP: "10.0.0.1")],
                         triggers: ["01-15-5D-00-00-01"]),
            CheckExample("unicast sources", frames: [FrameBuilder.arp(sender: FrameBuilder.mac("00-15-5D-00-00-01"), senderIP: "10.0.0.9", targetIP: "10.0.0.1")]),
        ])

    public func findings(in snapshot: Snapshot, rules: Rules) -> [Finding] {
        guard let wire = snapshot.wire else { return [] }
        return wire.table.stations.filter { $0.mac.isGroup && $0.roles.contains(.source) }.compactMap { s in
            Self.info.finding(mac: s.mac,
                              message: "\(s.mac) sent \(s.frames) frame(s) as Ethernet source in \(s.scope.label): a group address cannot be a source",
                              holders: [], extraSubjects: [WireSubjects.station(s)], extraEvidence: [wire.evidence(s.firstFrame)], rules: rules)
        }
    }
}

/// Subjects for findings about the wire.
enum WireSubjects {
    static func station(_ s: Station) -> Subject {
        Subject(kind: "station", name: s.scope.label, id: s.mac.description)
    }
}

extension CheckID {
    public static let wireGroupSource = CheckID("wire-group-source")
}
