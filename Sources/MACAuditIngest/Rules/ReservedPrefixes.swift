import MACAuditModel
/// A MAC prefix or range that must not be given to a VM's adapter, from `rules/reserved-prefixes.yaml`.
public struct ReservedPrefix: Hashable, Sendable {
    /// What it matches: a range of addresses, or every address of a SLAP quadrant.
    public enum Match: Hashable, Sendable {
        case range(MACRange)
        case quadrant(SLAPQuadrant)
    }

    public var name: String
    public var match: Match
    public var severity: Severity
    public var reason: String

    public init(name: String, match: Match, severity: Severity, reason: String) {
        self.name = name; self.match = match; self.severity = severity; self.reason = reason
    }

    public func matches(_ mac: MACAddress) -> Bool {
        switch match {
        case .range(let r): return r.contains(mac)
        case .quadrant(let q): return mac.slapQuadrant == q
        }
    }

    /// `00-00-5E-00-01` (a prefix, any number of hex digits) → the range of addresses it starts.
    public static func range(prefix text: String) -> MACRange? {
        var value: UInt64 = 0
        var nibbles = 0
        for byte in text.utf8 {
            if let n = MACAddress.hexValue(byte) {
                guard nibbles < 12 else { return nil }
                value = value << 4 | UInt64(n)
                nibbles += 1
            } else if byte != UInt8(ascii: "-") && byte != UInt8(ascii: ":") && byte != UInt8(ascii: ".") {
                return nil
            }
        }
        guard nibbles > 0 else { return nil }
        let bits = nibbles * 4
        return MACRange(prefix: MACAddress(uncheckedValue: value << UInt64(48 - bits)), bits: bits)
    }

    /// Reads `reserved-prefixes.yaml`: `version: 1` and a `prefixes` list of
    /// `{name, prefix | first+last | quadrant, severity, reason}`.
    static func load(_ doc: YAMLFields) throws -> [ReservedPrefix] {
        try doc.allowOnly(["version", "prefixes"])
        try RuleVersion.check(doc)
        return try doc.list("prefixes").map { item in
            try item.allowOnly(["name", "prefix", "first", "last", "quadrant", "severity", "reason"])
            let name = try item.requiredString("name")
            let match: Match
            if let prefix = try item.string("prefix") {
                guard let r = range(prefix: prefix) else {
                    throw item.error("prefix", item.node("prefix")!, "'\(prefix)' is not a hex MAC prefix")
                }
                match = .range(r)
            } else if let first = try item.mac("first") {
                guard let last = try item.mac("last"), let r = MACRange(first, last) else {
                    throw RuleError(file: item.file, line: item.line, message: "\(item.context) needs a 'last' at or above 'first'")
                }
                match = .range(r)
            } else if let q = try item.string("quadrant") {
                guard let quadrant = SLAPQuadrant(rawValue: q) else {
                    throw item.error("quadrant", item.node("quadrant")!, "'\(q)' is not a SLAP quadrant (AAI, ELI, SAI, reserved)")
                }
                match = .quadrant(quadrant)
            } else {
                throw RuleError(file: item.file, line: item.line, message: "\(item.context) ('\(name)') needs 'prefix', 'first'/'last' or 'quadrant'")
            }
            return ReservedPrefix(name: name, match: match, severity: try item.severity("severity") ?? .warning,
                                  reason: try item.string("reason") ?? name)
        }
    }
}

enum RuleVersion {
    /// Rule files carry `version: 1`; a newer version is refused rather than half-understood.
    static func check(_ doc: YAMLFields) throws {
        guard let v = try doc.string("version") else { return }
        guard v == "1" else {
            throw RuleError(file: doc.file, line: doc.node("version")?.mark?.line,
                            message: "has version \(v); this macaudit reads version 1 rule files")
        }
    }
}
