import Foundation
import MACAuditModel
import MACAuditIngest

/// A MAC the pool database holds reserved for one holder is in use by another: someone gave a
/// planned MAC to a VM by hand, or a plan was applied to the wrong adapter. When the reserved
/// holder gets its MAC as planned, the two collide.
public struct ReservationConflictCheck: Check {
    public init() {}

    public static let info = CheckInfo(
        id: .reservationConflict,
        summary: "a reserved MAC is held by another holder than the one it is reserved for",
        rationale: "The plan that reserved it will give the same MAC to its holder: applying it makes a duplicate.",
        severity: .error,
        remedy: .person,
        question: "Who should have the MAC: the holder it is reserved for, or the one that holds it now? Release the reservation (macaudit pool release MAC) or let the plan move the holder.",
        examples: [
            CheckExample("a planned MAC used by hand on another VM", Inventory(adapters: [Example.vm("B", "02AA00000007")]),
                         reservations: [Example.reservation("02AA00000007", for: "adapter:microsoft:a\\network adapter")],
                         triggers: ["02-AA-00-00-00-07"]),
            CheckExample("the holder it is reserved for has it", Inventory(adapters: [Example.vm("A", "02AA00000007")]),
                         reservations: [Example.reservation("02AA00000007", for: "adapter:microsoft:a\\network adapter")]),
        ])

    public func findings(in snapshot: Snapshot, rules: Rules) -> [Finding] {
        guard !snapshot.reservations.isEmpty else { return [] }
        let claims = Dictionary(snapshot.reservations.map { ($0.mac.value, $0) }, uniquingKeysWith: { a, _ in a })
        var intruders: [UInt64: [Holder]] = [:]
        for h in snapshot.holders {
            guard let mac = h.mac.address, let claim = claims[mac.value], claim.holder != h.key, claim.holder != h.aliasKey else { continue }
            intruders[mac.value, default: []].append(h)
        }
        return intruders.keys.sorted().compactMap { value in
            let claim = claims[value]!, holders = intruders[value]!
            let whom = claim.label ?? claim.holder
            let run = claim.runId.map { " by run \($0)" } ?? ""
            return Self.info.finding(
                mac: claim.mac,
                message: "\(claim.mac) is reserved\(run) for \(whom), but \(holders.map(\.label).joined(separator: "; ")) holds it: release the reservation (`macaudit pool release \(claim.mac)`) or move the holder",
                holders: holders,
                extraSubjects: [Subject(kind: "reservation", name: whom, id: claim.holder)],
                extraEvidence: [Evidence(source: "pool database", at: "reservation of \(claim.mac)\(run)")],
                rules: rules)
        }
    }
}

extension CheckID {
    public static let reservationConflict = CheckID("reservation-conflict")
}
