import MACAuditModel
/// An OUI a VM's universal MAC may carry (`rules/ouis.yaml`), with why.
public struct ExpectedOUI: Hashable, Sendable {
    /// The 24-bit OUI.
    public var oui: UInt32
    public var reason: String

    public init(oui: UInt32, reason: String) { self.oui = oui; self.reason = reason }

    /// Without `ouis.yaml`: Hyper-V's dynamic MACs and the Network Controller's default pool.
    public static let defaults = [
        ExpectedOUI(oui: 0x00155D, reason: "Hyper-V dynamic MACs (Microsoft)"),
        ExpectedOUI(oui: 0x001DD8, reason: "the Network Controller's default MAC pool (Microsoft)"),
    ]

    /// `version: 1` and `expected:` — a list of `{prefix: 00-15-5D, reason: …}`.
    static func load(_ doc: YAMLFields) throws -> [ExpectedOUI] {
        try doc.allowOnly(["version", "expected"])
        try RuleVersion.check(doc)
        return try doc.list("expected").map { item in
            try item.allowOnly(["prefix", "reason"])
            let text = try item.requiredString("prefix")
            guard let range = ReservedPrefix.range(prefix: text), range.count == 1 << 24 else {
                throw item.error("prefix", item.node("prefix")!, "'\(text)' must be a 24-bit prefix such as 00-15-5D")
            }
            return ExpectedOUI(oui: UInt32(range.lower.value >> 24), reason: try item.string("reason") ?? "")
        }
    }
}
