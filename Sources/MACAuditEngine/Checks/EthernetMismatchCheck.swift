import MACAuditModel
import MACAuditIngest
/// An ARP packet whose sender hardware address is not its Ethernet source: spoofing, a proxy, or a
/// broken stack. Windows NLB in unicast mode does this on purpose — it sends from 02-<host id>-<IP>
/// and answers ARP with the cluster MAC 02-BF-<IP> — so that form is reported as info with the reason.
public struct EthernetMismatchCheck: Check {
    public init() {}

    /// Windows NLB in unicast mode does this by design.
    public enum Variant: String, CheckVariant { case nlb }

    public static let info = CheckInfo(
        id: .ethernetMismatch,
        summary: "an ARP sender address differs from the frame's Ethernet source",
        rationale: "Hosts learn the ARP sender; if it is not who sent the frame, traffic goes to the wrong place. Such a sender is not taken as a claimant of the IP (ip-conflict) unless it is seen sending frames itself: hosts that check drop these frames, and a forger need only write the field. ARP with an opcode other than request or reply is ignored (arpwatch's \"wrong arp op\") and counted in the capture's summary.",
        severity: .warning,
        remedy: .person,
        question: "Is a proxy ARP, a load balancer or a spoofer sending these frames? Find the source port before trusting ARP from it.",
        variants: [Variant.nlb: .info],
        examples: [
            CheckExample("a spoofed ARP sender", frames: [
                FrameBuilder.arp(ethernetSource: FrameBuilder.mac("00-15-5D-00-00-0A"), sender: FrameBuilder.mac("00-15-5D-00-00-0B"),
                                 senderIP: "10.0.0.5", targetIP: "10.0.0.1"),
            ], triggers: ["00-15-5D-00-00-0B"], severity: .warning),
            CheckExample("Windows NLB unicast is exempt, with the reason", frames: [
                FrameBuilder.arp(ethernetSource: FrameBuilder.mac("02-01-0A-00-00-32"), sender: FrameBuilder.mac("02-BF-0A-00-00-32"),
                                 senderIP: "10.0.0.50", targetIP: "10.0.0.1"),
            ], triggers: ["02-BF-0A-00-00-32"], severity: .info),
            CheckExample("an ARP opcode other than request or reply is ignored", frames: [
                FrameBuilder.arp(ethernetSource: FrameBuilder.mac("00-15-5D-00-00-0A"), sender: FrameBuilder.mac("00-15-5D-00-00-0B"),
                                 senderIP: "10.0.0.5", targetIP: "10.0.0.1", op: 7),
            ]),
            CheckExample("a matching sender", frames: [
                FrameBuilder.arp(sender: FrameBuilder.mac("00-15-5D-00-00-0A"), senderIP: "10.0.0.5", targetIP: "10.0.0.1"),
            ]),
        ])

    public func findings(in snapshot: Snapshot, rules: Rules) -> [Finding] {
        guard let wire = snapshot.wire else { return [] }
        return wire.table.mismatches.compactMap { m in
            let nlb = m.isNLBUnicast
            let why = nlb ? "exempt: Windows NLB unicast sends from 02-<host>-<cluster IP> and answers ARP with the cluster MAC 02-BF-<cluster IP>"
                : "the frame came from \(m.ethernetSource)"
            return Self.info.finding(
                nlb ? Variant.nlb : nil, mac: m.arpSender,
                message: "ARP sender \(m.arpSender) in \(m.scope.label) differs from Ethernet source \(m.ethernetSource) in \(m.frames) frame(s); \(why)",
                holders: [], extraSubjects: [Subject(kind: "station", name: m.scope.label, id: m.ethernetSource.description)],
                extraEvidence: [wire.evidence(m.firstFrame)], rules: rules)
        }
    }
}

extension CheckID {
    public static let ethernetMismatch = CheckID("ethernet-mismatch")
}
